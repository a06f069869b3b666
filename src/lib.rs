//! edge-jwt (work in progress)
