// Every translation key used in the code exists, and English and French have the same keys.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const root = new URL("../src/", import.meta.url).pathname;
const locales = Object.fromEntries(["en", "fr"].map((l) => [l, JSON.parse(readFileSync(join(root, "locales", `${l}.json`), "utf8"))]));

function flatten(tree, prefix = "") {
  return Object.entries(tree).flatMap(([k, v]) => (typeof v === "object" ? flatten(v, `${prefix}${k}.`) : [`${prefix}${k}`]));
}
const keys = Object.fromEntries(Object.entries(locales).map(([l, tree]) => [l, new Set(flatten(tree))]));
const base = (key) => key.replace(/_(one|other)$/, "");

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : /\.tsx?$/.test(name) ? [path] : [];
  });
}

const problems = [];
for (const [language, set] of Object.entries(keys)) {
  for (const other of Object.values(keys)) for (const key of other) if (!set.has(key)) problems.push(`${language}: missing ${key}`);
}
const known = new Set([...keys.en].map(base));
for (const file of files(root)) {
  for (const match of readFileSync(file, "utf8").matchAll(/\bt\("([a-z_.]+)"/g)) {
    if (!known.has(match[1])) problems.push(`${file.replace(root, "")}: unknown key ${match[1]}`);
  }
}
if (problems.length) {
  console.error([...new Set(problems)].join("\n"));
  process.exit(1);
}
console.log(`i18n: ${keys.en.size} keys in en and fr`);
