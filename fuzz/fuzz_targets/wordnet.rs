//! Any bytes as a WordNet database (data.noun, a NUL byte, then index.noun): parsing must
//! answer with a hierarchy or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sphaera::data::parse_nouns;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (data_noun, index_noun) = text.split_once('\0').unwrap_or((&text, ""));
    if let Ok(nouns) = parse_nouns(data_noun, index_noun, "data.noun", "index.noun") {
        let _ = nouns.closure();
    }
});
