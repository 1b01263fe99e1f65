//! The French analyzer shared by the search index and the similarity of
//! contributions: words split, lowercased, accents folded *before*
//! stemming (or `securite` would miss « sécurité »), French stop words
//! dropped, French stemming.

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    StopWordFilter, TextAnalyzer, TokenStream,
};

/// The name the index registers the analyzer under.
pub const NAME: &str = "fr_folded";

/// A fresh analyzer (cheap; one per thread or per call).
pub fn french() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(StopWordFilter::new(Language::French).expect("French stop words ship with tantivy"))
        .filter(Stemmer::new(Language::French))
        .build()
}

/// The analyzed tokens of a text, in order (repeats kept).
pub fn tokens(text: &str) -> Vec<String> {
    let mut analyzer = french();
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::tokens;

    #[test]
    fn accents_case_and_plurals_fold_to_one_token() {
        assert_eq!(tokens("Sécurité"), tokens("securite"));
        assert_eq!(tokens("trottoirs"), tokens("trottoir"));
        assert_eq!(tokens("ÉCOLES"), tokens("école"));
    }

    #[test]
    fn stop_words_are_dropped() {
        assert_eq!(tokens("la sécurité des trottoirs").len(), 2);
    }
}
