/** docs/design/README.md: the challenge bundle is at most 15 KiB (15 × 1024 bytes) min+gzip. */
export declare const CHALLENGE_BUDGET: number;
/** min+gzip as the budget is defined: `gzip -9 -c | wc -c`, or zlib level 9 where gzip is missing. */
export declare function gzipSize(code: string | Uint8Array): number;
