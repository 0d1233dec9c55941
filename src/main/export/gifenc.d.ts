// gifenc ships no types; the exporter reaches its GIFEncoder through the module namespace.
declare module 'gifenc';
