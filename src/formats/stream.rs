//! Reading a JSON file record by record, so that memory holds one record at a time however
//! large the file (a Fact Check API dump of a million claims, a ClaimReview feed).
//!
//! serde_json parses the file as a stream; the seeds below open the containers that hold the
//! records (the top-level array, `claims`, `@graph`) as they are read and hand each record to the
//! caller as soon as it is complete. Only that record is ever a `Value` in memory.

use std::fmt;
use std::io::Read;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// Where a file's records are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Google Fact Check Tools: a bare array of claims, or an object whose `claims` array holds
    /// them (other keys, such as `nextPageToken`, are skipped).
    FactcheckApi,
    /// JSON-LD: one node, an array of nodes, or a `@graph`, nested freely; every node that is not
    /// an array or a `@graph` holder is a record.
    JsonLd,
}

/// Why reading stopped.
#[derive(Debug)]
pub enum Stopped {
    /// The file is not JSON, or not in the shape expected: the message, line and column.
    Json(serde_json::Error),
    /// The caller's `visit` failed on a record.
    Visit(anyhow::Error),
}

/// Calls `visit` with each record of `input`, in file order, as it is read.
pub fn for_each_record(
    input: impl Read,
    shape: Shape,
    visit: &mut dyn FnMut(Value) -> anyhow::Result<()>,
) -> Result<(), Stopped> {
    let mut state = State {
        visit,
        failed: None,
    };
    let mut de = serde_json::Deserializer::from_reader(input);
    let read = match shape {
        Shape::FactcheckApi => FactcheckTop(&mut state).deserialize(&mut de),
        Shape::JsonLd => Node(&mut state).deserialize(&mut de),
    };
    let read = read.and_then(|()| de.end());
    match (state.failed.take(), read) {
        (Some(e), _) => Err(Stopped::Visit(e)),
        (None, Err(e)) => Err(Stopped::Json(e)),
        (None, Ok(())) => Ok(()),
    }
}

struct State<'v> {
    visit: &'v mut dyn FnMut(Value) -> anyhow::Result<()>,
    /// The caller's error, kept here while serde unwinds with a placeholder of its own type.
    failed: Option<anyhow::Error>,
}

impl State<'_> {
    fn emit<E: de::Error>(&mut self, value: Value) -> Result<(), E> {
        (self.visit)(value).map_err(|e| {
            self.failed = Some(e);
            E::custom("stopped")
        })
    }
}

const FACTCHECK_SHAPE: &str = "a JSON array of claims or an object with a \"claims\" array (the \
                               Fact Check Tools claims:search answer)";

/// The whole Fact Check API document.
struct FactcheckTop<'s, 'v>(&'s mut State<'v>);

impl<'de> DeserializeSeed<'de> for FactcheckTop<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for FactcheckTop<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(FACTCHECK_SHAPE)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        Records(self.0).visit_seq(seq)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut found = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "claims" && !found {
                map.next_value_seed(Records(&mut *self.0))?;
                found = true;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        if found {
            Ok(())
        } else {
            Err(de::Error::custom(format!("expected {FACTCHECK_SHAPE}")))
        }
    }
}

/// An array whose elements are records.
struct Records<'s, 'v>(&'s mut State<'v>);

impl<'de> DeserializeSeed<'de> for Records<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Records<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(FACTCHECK_SHAPE)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(record) = seq.next_element::<Value>()? {
            self.0.emit(record)?;
        }
        Ok(())
    }
}

/// A JSON-LD value: arrays and `@graph`s are opened, anything else is a record.
struct Node<'s, 'v>(&'s mut State<'v>);

impl<'de> DeserializeSeed<'de> for Node<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

macro_rules! scalar_records {
    ($($method:ident: $ty:ty),*) => {
        $(fn $method<E: de::Error>(self, v: $ty) -> Result<(), E> {
            self.0.emit(Value::from(v))
        })*
    };
}

impl<'de> Visitor<'de> for Node<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("JSON-LD: an object, an array of objects, or a @graph")
    }
    scalar_records!(visit_bool: bool, visit_i64: i64, visit_u64: u64, visit_f64: f64,
                    visit_str: &str, visit_string: String);
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.0.emit(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Node(&mut *self.0))?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        // An object is a record unless it holds a @graph; then it is only the graph's holder
        // (its @context and other keys say nothing about the records) and is dropped.
        let mut object = Map::new();
        let mut graph = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "@graph" {
                map.next_value_seed(Node(&mut *self.0))?;
                graph = true;
                object.clear();
            } else if graph {
                map.next_value::<IgnoredAny>()?;
            } else {
                object.insert(key, map.next_value::<Value>()?);
            }
        }
        if graph {
            Ok(())
        } else {
            self.0.emit(Value::Object(object))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(json: &str, shape: Shape) -> Result<Vec<Value>, String> {
        let mut seen = Vec::new();
        for_each_record(json.as_bytes(), shape, &mut |v| {
            seen.push(v);
            Ok(())
        })
        .map_err(|e| match e {
            Stopped::Json(e) => e.to_string(),
            Stopped::Visit(e) => format!("visit: {e}"),
        })?;
        Ok(seen)
    }

    #[test]
    fn fact_check_api_records_come_from_a_bare_array_or_the_claims_array() {
        let bare = records(r#"[{"text":"a"},{"text":"b"}]"#, Shape::FactcheckApi).unwrap();
        assert_eq!(bare.len(), 2);
        let wrapped = records(
            r#"{"nextPageToken":"x","claims":[{"text":"a"}],"more":{"deep":[1,2]}}"#,
            Shape::FactcheckApi,
        )
        .unwrap();
        assert_eq!(wrapped, vec![serde_json::json!({"text": "a"})]);
        let err = records(r#"{"items":[]}"#, Shape::FactcheckApi).unwrap_err();
        assert!(err.contains("\"claims\" array"), "{err}");
        let err = records("[{\"text\":\"a\"},", Shape::FactcheckApi).unwrap_err();
        assert!(err.contains("line 1"), "{err}");
    }

    #[test]
    fn json_ld_nodes_are_opened_like_the_whole_document_reader_did() {
        let doc = r#"[{"@context":"https://schema.org","@graph":[{"@type":"ClaimReview","n":1},
                     [{"@type":"Thing"}]]},{"@type":"ClaimReview","n":2},"stray"]"#;
        let nodes = records(doc, Shape::JsonLd).unwrap();
        assert_eq!(nodes.len(), 4);
        assert_eq!(nodes[0]["n"], 1);
        assert_eq!(nodes[1]["@type"], "Thing");
        assert_eq!(nodes[2]["n"], 2);
        assert_eq!(nodes[3], "stray");
        let one = records(r#"{"@type":"ClaimReview"}"#, Shape::JsonLd).unwrap();
        assert_eq!(one.len(), 1);
    }

    #[test]
    fn a_visit_error_stops_reading_and_comes_back_as_it_was() {
        let mut n = 0;
        let stopped = for_each_record(&b"[1,2,3]"[..], Shape::JsonLd, &mut |_| {
            n += 1;
            anyhow::ensure!(n < 2, "enough");
            Ok(())
        });
        assert!(matches!(stopped, Err(Stopped::Visit(e)) if e.to_string() == "enough"));
        assert_eq!(n, 2);
    }
}
