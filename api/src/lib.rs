//! Gevinst's edges: the `gevinst` command line and the HTTP API. They parse what people send
//! into domain commands and render read models back; the rules live in `gevinst-domain` and the
//! storage in `gevinst-projections`.
#![deny(missing_docs)]

pub mod audit;
pub mod bench;
pub mod charts;
pub mod cli;
pub mod config;
pub mod dashboard;
pub mod export;
pub mod format;
pub mod help;
pub mod http;
pub mod labels;
pub mod people;
pub mod price_index;
pub mod record;
pub mod render;
pub mod startup;
