/** The SDK's version (kept equal to its package.json's by a unit spec). */
export const SDK_VERSION = '0.1.0';
