//! Serde (JSON, YAML) and k8s-openapi interoperability, and the standard
//! traits' behaviour by value.

use std::collections::HashSet;

use alpaca_quantity::{Format, Quantity, QuantityError};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity as K8sQuantity;

fn parse(s: &str) -> Quantity {
    Quantity::parse(s).unwrap()
}

#[test]
fn json_accepts_strings_numbers_and_null() {
    // TestJSONWhitespace, plus numbers and null as UnmarshalJSON takes them.
    let table = [
        (r#"" 1""#, "1"),
        (r#""1 ""#, "1"),
        ("1", "1"),
        (" 1", "1"),
        ("1 ", "1"),
        ("10", "10"),
        ("-1", "-1"),
        (" -1", "-1"),
        ("0.5", "500m"),
        ("-2.25", "-2250m"),
        ("18446744073709551615", "18446744073709551615"),
        ("null", "0"),
        (r#""64Mi""#, "64Mi"),
        (r#""1e3""#, "1e3"),
    ];
    for (json, want) in table {
        let q: Quantity = serde_json::from_str(json).unwrap_or_else(|e| panic!("{json}: {e}"));
        assert_eq!(q.to_string(), want, "{json}");
    }
    for bad in [r#""""#, r#""12Mx""#, "true", "[]", r#"{"a":1}"#] {
        assert!(serde_json::from_str::<Quantity>(bad).is_err(), "{bad}");
    }
    let err = serde_json::from_str::<Quantity>(r#""12Mx""#).unwrap_err();
    assert!(err.to_string().contains("\"12Mx\""), "{err}");
}

#[test]
fn json_in_a_struct() {
    #[derive(serde::Deserialize, serde::Serialize, PartialEq, Debug)]
    struct Resources {
        cpu: Quantity,
        memory: Quantity,
        #[serde(default)]
        gpu: Option<Quantity>,
    }
    let r: Resources =
        serde_json::from_str(r#"{"cpu": "1.5", "memory": "0.5Gi", "gpu": null}"#).unwrap();
    assert_eq!(r.cpu.to_string(), "1500m");
    assert_eq!(r.memory.to_string(), "512Mi");
    assert_eq!(r.gpu, None);
    assert_eq!(
        serde_json::to_string(&r).unwrap(),
        r#"{"cpu":"1500m","memory":"512Mi","gpu":null}"#
    );
}

#[test]
fn yaml_numbers_and_strings() {
    #[derive(serde::Deserialize)]
    struct Limits {
        cpu: Quantity,
        memory: Quantity,
        replicas: Quantity,
    }
    let l: Limits = serde_yaml_ng::from_str("cpu: 0.25\nmemory: 64Mi\nreplicas: 3\n").unwrap();
    assert_eq!(l.cpu.to_string(), "250m");
    assert_eq!(l.memory.to_string(), "64Mi");
    assert_eq!(l.replicas.to_string(), "3");
    assert_eq!(
        serde_yaml_ng::to_string(&parse("1536Mi")).unwrap().trim(),
        "1536Mi"
    );
}

#[test]
fn k8s_openapi_conversions() {
    let k = K8sQuantity("1.5Gi".to_owned());
    let q = Quantity::try_from(&k).unwrap();
    assert_eq!(q.to_string(), "1536Mi");
    assert_eq!(K8sQuantity::from(q), K8sQuantity("1536Mi".to_owned()));
    assert_eq!(
        K8sQuantity::from(&Quantity::from_milli(610, Format::DecimalSI)).0,
        "610m"
    );
    assert_eq!(
        Quantity::try_from(K8sQuantity(" 100m ".to_owned())).unwrap(),
        parse("0.1")
    );
    assert_eq!(
        Quantity::try_from(K8sQuantity("12Mx".to_owned())),
        Err(QuantityError::Format("12Mx".to_owned()))
    );
    // k8s-openapi's own serde form is the same string.
    let via_k8s: K8sQuantity =
        serde_json::from_str(&serde_json::to_string(&parse("250m")).unwrap()).unwrap();
    assert_eq!(via_k8s.0, "250m");
}

#[test]
fn equality_hash_and_order_by_value() {
    let spellings = [
        "1",
        "1000m",
        "100e-2",
        "1e0",
        "0.001k",
        "1000000000n",
        "+1",
        "1.000",
    ];
    let set: HashSet<Quantity> = spellings.iter().map(|s| parse(s)).collect();
    assert_eq!(set.len(), 1);
    assert_eq!(parse("1k"), parse("1e3"));
    assert_ne!(parse("1Ki"), parse("1k"));
    let mut v: Vec<Quantity> = ["1Gi", "-1", "1G", "500m", "0", "1e-9", "1Ki", "1k", "-1Ti"]
        .iter()
        .map(|s| parse(s))
        .collect();
    v.sort();
    let sorted: Vec<String> = v.iter().map(ToString::to_string).collect();
    assert_eq!(
        sorted,
        ["-1Ti", "-1", "0", "1e-9", "500m", "1k", "1Ki", "1G", "1Gi"]
    );
    assert_eq!(parse("1").max(parse("999m")).to_string(), "1");
}

#[test]
fn std_traits() {
    let q: Quantity = "250m".parse().unwrap();
    assert_eq!(Quantity::try_from("250m"), Ok(q));
    assert_eq!(Quantity::default(), Quantity::ZERO);
    assert_eq!(Quantity::default().to_string(), "0");
    assert_eq!(format!("[{q:>6}]"), "[  250m]");
    assert_eq!(format!("[{q:<6}]"), "[250m  ]");
    let mut acc = Quantity::ZERO;
    acc += parse("1Gi");
    acc += parse("512Mi");
    acc -= parse("256Mi");
    assert_eq!(acc.to_string(), "1280Mi");
    let total: Quantity = ["100m", "200m", "300m"].iter().map(|s| parse(s)).sum();
    assert_eq!(total.to_string(), "600m");
    let by_ref: Quantity = [parse("1Ki"), parse("1Ki")].iter().sum();
    assert_eq!(by_ref.to_string(), "2Ki");
    assert_eq!(q.with_format(Format::DecimalExponent).to_string(), "250e-3");
    let mut r = parse("2048");
    r.set_format(Format::BinarySI);
    assert_eq!(r.to_string(), "2Ki");
    assert_eq!(Format::BinarySI.to_string(), "BinarySI");
    assert_eq!(Format::default(), Format::DecimalSI);
}
