// "Only pages whose address contains pricing" is kept as the step's filter rule over the visit's
// properties (url =~~ "pricing": a regular expression search), and read back the same way.
const SPECIAL = /[.*+?^${}()|[\]\\]/g;
const FILTER = /^url =~~ "((?:[^"\\]|\\.)*)"$/;

/** The filter rule for an address fragment; null (any page) when it is empty. */
export function addressFilter(words: string): string | null {
  const fragment = words.trim();
  if (!fragment) return null;
  const pattern = fragment.replace(SPECIAL, "\\$&");
  return `url =~~ "${pattern.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** The address fragment a filter made by addressFilter searches for ("" for none). */
export function addressOf(filter: string): string {
  const found = FILTER.exec(filter.trim());
  if (!found) return filter;
  const pattern = found[1].replace(/\\(.)/g, "$1");
  return pattern.replace(/\\(.)/g, "$1");
}
