import type { ComponentChildren } from "preact";

/**
 * A data table in its scrolling wrapper (a phone scrolls the table, never the page), with column
 * headers (a `false` entry is a column left out); rows come as children.
 */
export function Table(p: {
  head: (ComponentChildren | false)[];
  caption?: ComponentChildren;
  class?: string;
  children: ComponentChildren;
}) {
  return (
    <div class="table-wrap">
      <table class={p.class}>
        {p.caption !== undefined && <caption class="muted">{p.caption}</caption>}
        <thead>
          <tr>
            {p.head
              .filter((h) => h !== false)
              .map((h, i) => (
                <th scope="col" key={i}>
                  {h}
                </th>
              ))}
          </tr>
        </thead>
        <tbody>{p.children}</tbody>
      </table>
    </div>
  );
}
