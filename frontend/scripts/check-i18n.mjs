// Every translation key used in the code exists, English and French have the same keys (the
// SPA's and the email designer's), and no screen shows English written straight in the JSX.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const root = new URL("../src/", import.meta.url).pathname;
const readJson = (path) => JSON.parse(readFileSync(join(root, path), "utf8"));
const locales = Object.fromEntries(["en", "fr"].map((l) => [l, readJson(`locales/${l}.json`)]));
// GrapesJS's panels, blocks, traits and style manager, in the designer's two languages.
const designer = readJson("email/messages.json");

function flatten(tree, prefix = "") {
  return Object.entries(tree).flatMap(([k, v]) => (typeof v === "object" ? flatten(v, `${prefix}${k}.`) : [`${prefix}${k}`]));
}
const base = (key) => key.replace(/_(one|other)$/, "");

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : /\.tsx?$/.test(name) ? [path] : [];
  });
}

const problems = [];
function sameKeys(label, trees) {
  const keys = Object.fromEntries(Object.entries(trees).map(([l, tree]) => [l, new Set(flatten(tree))]));
  for (const [language, set] of Object.entries(keys)) {
    for (const other of Object.values(keys)) for (const key of other) if (!set.has(key)) problems.push(`${label}${language}: missing ${key}`);
  }
  return keys;
}
const keys = sameKeys("", locales);
const designerKeys = sameKeys("email/messages.json ", { en: designer.en, fr: designer.fr });
for (const [language, tree] of Object.entries(designer)) {
  for (const key of flatten(tree)) {
    const value = key.split(".").reduce((node, k) => node[k], tree);
    if (typeof value !== "string" || (!value && !key.endsWith(".placeholder"))) problems.push(`email/messages.json ${language}: ${key} is empty`);
  }
}

// Words shown as they are in both languages: the product's name and each language's own name.
const ALLOWED = new Set(["Parcours", "English", "Français"]);
const looksLikeWords = (text) => /[A-Za-zÀ-ÿ]{2,}/.test(text) && !ALLOWED.has(text.trim()) && !/^(https?:\/\/|[\w.+-]+@[\w.-]+$)/.test(text.trim());
// A JSX text node (between a tag or a {expression} and a closing tag), and a text attribute.
const JSX_TEXT = /[>}]([^<>{}]*)<\//g;
const TEXT_ATTRIBUTE = /\s(label|placeholder|title|aria-label|description|alt|tooltip)="([^"]*)"/g;

const known = new Set([...keys.en].map(base));
for (const file of files(root)) {
  const source = readFileSync(file, "utf8");
  const name = file.replace(root, "");
  for (const match of source.matchAll(/\bt\("([a-z_.]+)"/g)) {
    if (!known.has(match[1])) problems.push(`${name}: unknown key ${match[1]}`);
  }
  if (!name.endsWith(".tsx")) continue;
  for (const [, text] of source.matchAll(JSX_TEXT)) {
    if (looksLikeWords(text)) problems.push(`${name}: text not translated: ${JSON.stringify(text.trim())} (use t())`);
  }
  for (const [, attribute, text] of source.matchAll(TEXT_ATTRIBUTE)) {
    if (looksLikeWords(text)) problems.push(`${name}: ${attribute}="${text}" not translated (use t())`);
  }
}
if (problems.length) {
  console.error([...new Set(problems)].join("\n"));
  process.exit(1);
}
console.log(`i18n: ${keys.en.size} keys in en and fr, ${designerKeys.en.size} in the designer's`);
