/**
 * A fault's title without the target name it starts with ("区政府门户网站: 网站不可访问" → "网站不可访问"):
 * automatic faults carry the name for notifications, and the pages show the target next to the title.
 */
export function titleWithoutTarget(title: string, targetName: string): string {
  for (const sep of [": ", "：", ":"])
    if (title.startsWith(targetName + sep)) return title.slice(targetName.length + sep.length).trim();
  return title;
}
