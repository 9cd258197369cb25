// GrapesJS ships its locales as untyped JS objects.
declare module "grapesjs/locale/fr" {
  const messages: Record<string, unknown>;
  export default messages;
}
