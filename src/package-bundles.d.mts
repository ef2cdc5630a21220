// Types of src/package-bundles.mjs (plain JavaScript: it runs before any TypeScript is loaded).
/** package → the specifiers the application imports from it, each bundled as `<file>.js`. */
export declare const BUNDLED: Record<string, Record<string, string>>;
/** The directory of the bundles for the versions installed under `root`. */
export declare function bundleDir(root: string): string;
/** Resolves the bundled specifiers to their bundles when bundles for the installed versions exist. */
export declare function useBundles(root: string): Promise<boolean>;
