// A bound on requests in flight across all devices, first come first served. A dead device then
// holds at most its own slots for its timeout, and a poll burst of 1,000 devices does not open
// 1,000 requests at once.

/** Something waiting for a slot. `queued` is cleared by whoever takes it out of line (the limiter or an abort). */
export interface Waiter {
  queued: boolean;
  /** Called once with the slot, on a later tick; the waiter must `release()` it. */
  onSlot(): void;
}

export class Limiter<W extends Waiter = Waiter> {
  #active = 0;
  #queue: (W | undefined)[] = [];
  #head = 0;

  constructor(readonly max: number) {
    if (!(Number.isInteger(max) && max >= 1))
      throw new RangeError(`maxConcurrent must be an integer ≥ 1, not ${max}`);
  }

  /** Takes a free slot now, or returns false. */
  take(): boolean {
    if (this.#active >= this.max) return false;
    this.#active++;
    return true;
  }

  /** Queues a waiter; an abort leaves it in place with `queued = false` and it is skipped. */
  enqueue(waiter: W): void {
    waiter.queued = true;
    this.#queue.push(waiter);
  }

  /** Hands the slot to the next waiter, else frees it. */
  release(): void {
    while (this.#head < this.#queue.length) {
      const waiter = this.#queue[this.#head];
      this.#queue[this.#head++] = undefined;
      if (waiter?.queued) {
        waiter.queued = false;
        this.#compact();
        // A later tick: a waiter whose send fails synchronously would otherwise recurse through the queue.
        process.nextTick(grant, waiter);
        return;
      }
    }
    this.#queue = [];
    this.#head = 0;
    this.#active--;
  }

  /** Takes every waiter out of line (on close). */
  drain(): W[] {
    const waiting = this.#queue.slice(this.#head).filter((w): w is W => w?.queued === true);
    for (const w of waiting) w.queued = false;
    this.#queue = [];
    this.#head = 0;
    return waiting;
  }

  #compact(): void {
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }
}

const grant = (waiter: Waiter) => waiter.onSlot();
