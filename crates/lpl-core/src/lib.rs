//! Use cases shared by the lpl front ends: import, show, series.
