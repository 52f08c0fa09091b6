// Builds widget.js and measures it.

export * from './build-widget';
export * from './gzip-size';
