// GrapesJS and grapesjs-mjml ship their locales as untyped JS objects.
declare module "grapesjs/locale/fr" {
  const messages: Record<string, unknown>;
  export default messages;
}
declare module "grapesjs-mjml/locale/fr" {
  const messages: Record<string, unknown>;
  export default messages;
}
