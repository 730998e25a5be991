// Why the receiver refused a packet, from the error net-snmp reports for it (or from our own checks).
// Pure: the receiver counts and logs by these reasons.

export const REJECT_REASONS = ["community", "user", "auth", "malformed", "unexpected"] as const;
/**
 * community: v1/v2c community not configured; user: v3 user not configured; auth: wrong v3 key, or
 * a weaker security level than the user's; malformed: not a decodable notification; unexpected: an
 * SNMP request that is not a notification (a GET sent to the trap port).
 */
export type RejectReason = (typeof REJECT_REASONS)[number];

/** For the log: never net-snmp's message, which quotes the community that was tried. */
export const REJECT_TEXT: Record<RejectReason, string> = {
  community: "unknown community",
  user: "unknown SNMPv3 user",
  auth: "wrong SNMPv3 key or security level",
  malformed: "not a decodable SNMP notification",
  unexpected: "an SNMP request, not a notification",
};

/** net-snmp's receiver errors: the class name says where it failed, the message says what. */
export function rejectReason(err: Error): RejectReason {
  const m = err.message;
  switch (err.name) {
    case "RequestFailedError":
      if (/community/i.test(m)) return "community";
      if (/user not found/i.test(m)) return "user";
      return "auth"; // "requires authentication/privacy but message does not provide it"
    case "ResponseInvalidError":
      return "auth"; // digest mismatch, or a PDU that does not decrypt with the user's key
    case "RequestInvalidError":
      return "unexpected";
    default:
      return "malformed";
  }
}
