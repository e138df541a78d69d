//! Reading found documents: a hit from the stored summary, with highlighted snippets when asked.

use tantivy::schema::document::{DeserializeError, DocumentDeserialize, DocumentDeserializer};
use tantivy::schema::{Field, Value};
use tantivy::{DocAddress, Searcher, TantivyDocument};

use super::SearchError;
use super::analysis::Stems;
use super::highlight::highlight;
use super::query::Marks;
use super::request::Hit;
use super::schema::Fields;
use super::summary::Summary;
use crate::model::RecordKind;

/// The hit of a document, with highlights of what the marks match when asked.
pub fn hit(
    searcher: &Searcher,
    fields: &Fields,
    score: Option<f32>,
    address: DocAddress,
    highlight: Option<(&Marks, &mut Stems)>,
) -> Result<Hit, SearchError> {
    let summary_only = || -> Result<String, SearchError> {
        // Any surprise (an index written before the summary came first) takes the whole document.
        Ok(
            match searcher.doc::<FirstField>(address).ok().and_then(|f| f.0) {
                Some((field, text)) if field == fields.summary => text,
                _ => summary_of(&searcher.doc(address)?, fields),
            },
        )
    };
    let (text, highlights) = match highlight {
        None => (summary_only()?, None),
        // Nothing to mark (a search without words): no text need be read or analysed.
        Some((marks, _)) if marks.is_empty() => (summary_only()?, Some(Default::default())),
        Some((marks, stems)) => {
            let doc: TantivyDocument = searcher.doc(address)?;
            let highlights = highlights(fields, &doc, marks, stems);
            (summary_of(&doc, fields), Some(highlights))
        }
    };
    let (summary, head) = Summary::parse(text).map_err(|source| SearchError::CorruptSummary {
        key: format!("{address:?}"),
        source,
    })?;
    let kind = RecordKind::parse(&head.kind).unwrap_or(RecordKind::Organisation);
    Ok(Hit {
        kind,
        id: head.id,
        name: head.name,
        score,
        distance_km: None,
        highlights,
        summary,
    })
}

/// The stored summary of a whole document.
fn summary_of(doc: &TantivyDocument, fields: &Fields) -> String {
    let text = doc.get_first(fields.summary).and_then(|v| v.as_str());
    text.unwrap_or("{}").to_owned()
}

/// The first stored field of a document and nothing more: the summary, which
/// [`super::document::build`] adds first, without decoding the long texts kept for highlighting.
struct FirstField(Option<(Field, String)>);

impl DocumentDeserialize for FirstField {
    fn deserialize<'de, D: DocumentDeserializer<'de>>(
        mut deserializer: D,
    ) -> Result<Self, DeserializeError> {
        Ok(FirstField(deserializer.next_field::<String>()?))
    }
}

/// Snippets of the stored name, description and expertise tags that `marks` match.
fn highlights(
    fields: &Fields,
    doc: &TantivyDocument,
    marks: &Marks,
    stems: &mut Stems,
) -> serde_json::Map<String, serde_json::Value> {
    let mut out = serde_json::Map::new();
    let texts = |field| doc.get_all(field).filter_map(|v| v.as_str());
    if let Some(name) = texts(fields.name).find_map(|t| highlight(t, marks, stems)) {
        out.insert("name".into(), name.into());
    }
    if let Some(text) = texts(fields.description).find_map(|t| highlight(t, marks, stems)) {
        out.insert("description".into(), text.into());
    }
    let tags: Vec<serde_json::Value> = texts(fields.expertise)
        .filter_map(|t| highlight(t, marks, stems))
        .map(Into::into)
        .collect();
    if !tags.is_empty() {
        out.insert("expertise".into(), tags.into());
    }
    out
}
