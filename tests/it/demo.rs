//! The committed demo dataset: what the generator makes, realistic, fictional, covering Albania.

use std::collections::BTreeSet;

use rrjeti::ingest::demo;
use rrjeti::model::{Record, decode_record, places};

fn committed() -> Vec<Record> {
    rrjeti::DEMO_DATASET
        .lines()
        .map(|line| decode_record(serde_json::from_str(line).unwrap()).unwrap())
        .collect()
}

#[test]
fn the_committed_dataset_is_what_the_generator_makes() {
    let mut generated = String::new();
    demo::generate(
        demo::DEMO_ORGANISATIONS,
        demo::DEMO_NETWORKS,
        demo::DEMO_SEED,
        &mut |record| {
            generated.push_str(&record.to_tagged_json().to_string());
            generated.push('\n');
        },
    );
    assert!(
        generated == rrjeti::DEMO_DATASET,
        "data/demo/rrjeti-demo.ndjson is stale: regenerate it with `rrjeti demo-data -o data/demo/rrjeti-demo.ndjson`"
    );
}

#[test]
fn the_demo_dataset_has_1500_organisations_and_40_networks() {
    let records = committed();
    let organisations = records
        .iter()
        .filter(|r| matches!(r, Record::Organisation(_)))
        .count();
    let networks = records
        .iter()
        .filter(|r| matches!(r, Record::Network(_)))
        .count();
    assert!(organisations >= 1_500, "{organisations}");
    assert!(networks >= 40, "{networks}");
}

#[test]
fn the_demo_dataset_covers_all_61_municipalities_and_12_counties() {
    let mut municipalities = BTreeSet::new();
    let mut counties = BTreeSet::new();
    for record in committed() {
        if let Record::Organisation(org) = record {
            let address = org.address.unwrap();
            municipalities.insert(address.municipality.unwrap());
            counties.insert(address.county.unwrap());
        }
    }
    assert_eq!(municipalities.len(), places().municipalities.len());
    assert_eq!(counties.len(), places().counties.len());
}

#[test]
fn every_demo_record_is_valid_and_ids_are_unique() {
    let records = committed();
    let ids: BTreeSet<_> = records
        .iter()
        .map(|r| (r.kind(), r.id().to_owned()))
        .collect();
    assert_eq!(ids.len(), records.len());
    for record in records {
        let valid = match record {
            Record::Organisation(o) => rrjeti::model::validate_organisation(o).is_ok(),
            Record::Network(n) => rrjeti::model::validate_network(n).is_ok(),
        };
        assert!(valid);
    }
}

#[test]
fn demo_names_use_albanian_letters() {
    let with_diacritics = committed()
        .iter()
        .filter(|r| match r {
            Record::Organisation(o) => o.name.contains(['ë', 'ç', 'Ë', 'Ç']),
            Record::Network(n) => n.name.contains(['ë', 'ç']),
        })
        .count();
    assert!(with_diacritics > 300, "{with_diacritics}");
}
