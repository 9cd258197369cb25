// The rule of a conditional block, `{% if rule('...') %}`, read from and written to its Jinja tag.
const IF_RULE = /^\{%-?\s*if\s+rule\((?:'([^'\\]*)'|("(?:[^"\\]|\\.)*"))\)\s*-?%\}$/;

/** The rule text of a `{% if rule(...) %}` tag, or null for any other Jinja. */
export function ruleOfTag(content: string): string | null {
  const found = IF_RULE.exec(content.trim());
  if (!found) return null;
  if (found[1] !== undefined) return found[1];
  try {
    return JSON.parse(found[2]) as string;
  } catch {
    return null;
  }
}

/** The tag for a rule: single quotes around it (rules quote their texts with double ones). */
export function tagOfRule(rule: string): string {
  const literal = rule.includes("'") || rule.includes("\\") ? JSON.stringify(rule) : `'${rule}'`;
  return `{% if rule(${literal}) %}`;
}
