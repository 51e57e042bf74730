// Linked into every module library so a module with no sources yet still builds.
