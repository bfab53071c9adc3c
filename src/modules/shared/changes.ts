/**
 * Told after a write commits which public content it changed, as Surrogate-Key style keys
 * (`articles`, `article:<id>`, `tag:<slug>`, `photo:<id>` …). The response cache drops what
 * depends on them; a CDN purge could hang off the same call.
 */
export type ContentChanged = (keys: string[]) => void;

export const ignoreChanges: ContentChanged = () => undefined;
