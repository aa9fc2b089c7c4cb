//! The lossless dump (filled in below).
