/** Number formats the runtime tables share. */
export const ms = (value: number) => value.toFixed(1);
export const us = (value: number) => value.toFixed(2);
export const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
export const times = (ratio: number) => `${ratio.toFixed(2)}x`;
