use super::*;

fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn defaults_derive_from_the_data_dir() {
    let loaded = load(
        &env(&[("AERIE_DATA_DIR", "/srv/a")]),
        &Overrides::default(),
        false,
    )
    .unwrap();
    let c = loaded.config;
    assert_eq!(c.data_dir, PathBuf::from("/srv/a"));
    assert_eq!(c.panel.database_url.expose(), "sqlite:///srv/a/panel.db");
    assert_eq!(c.panel.app_key_file, PathBuf::from("/srv/a/app.key"));
    assert_eq!(
        c.wings.config_file,
        PathBuf::from("/srv/a/wings/config.yml")
    );
    assert_eq!(c.panel.bind.to_string(), "127.0.0.1:8080");
    assert_eq!(c.panel.url, "http://127.0.0.1:8080");
    assert!(loaded.warnings.is_empty());
}

#[test]
fn layers_apply_in_order_file_then_env_then_cli() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("aerie.toml"),
        "[panel]\nbind = \"127.0.0.1:9001\"\nurl = \"https://panel.example/\"\n[log]\nformat = \"json\"\n",
    )
    .unwrap();
    let d = dir.path().to_str().unwrap();
    let c = load(&env(&[("AERIE_DATA_DIR", d)]), &Overrides::default(), false)
        .unwrap()
        .config;
    assert_eq!(c.panel.bind.port(), 9001);
    assert_eq!(c.panel.url, "https://panel.example");
    assert_eq!(c.log.format, LogFormat::Json);

    let c = load(
        &env(&[("AERIE_DATA_DIR", d), ("AERIE_BIND", "127.0.0.1:9002")]),
        &Overrides::default(),
        false,
    )
    .unwrap()
    .config;
    assert_eq!(c.panel.bind.port(), 9002);

    let cli = Overrides {
        bind: Some("127.0.0.1:9003".into()),
        log_format: Some("pretty".into()),
        ..Default::default()
    };
    let c = load(
        &env(&[("AERIE_DATA_DIR", d), ("AERIE_BIND", "127.0.0.1:9002")]),
        &cli,
        false,
    )
    .unwrap()
    .config;
    assert_eq!(c.panel.bind.port(), 9003);
    assert_eq!(c.log.format, LogFormat::Pretty);
}

#[test]
fn secrets_come_from_files_and_never_print() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("db");
    std::fs::write(&f, "postgres://aerie:hunter2@127.0.0.1/aerie\n").unwrap();
    let c = load(
        &env(&[
            ("AERIE_DATABASE_URL_FILE", f.to_str().unwrap()),
            ("AERIE_DATA_DIR", "/x"),
        ]),
        &Overrides::default(),
        false,
    )
    .unwrap()
    .config;
    assert_eq!(
        c.panel.database_url.expose(),
        "postgres://aerie:hunter2@127.0.0.1/aerie"
    );
    let printed = format!("{c:?}");
    assert!(!printed.contains("hunter2"), "{printed}");
}

#[test]
fn unknown_aerie_variables_warn() {
    let l = load(
        &env(&[("AERIE_DATA_DIR", "/x"), ("AERIE_DATABSE_URL", "oops")]),
        &Overrides::default(),
        false,
    )
    .unwrap();
    assert_eq!(
        l.warnings,
        vec!["ignoring unknown environment variable AERIE_DATABSE_URL".to_string()]
    );
}

#[test]
fn bad_values_give_one_clear_line() {
    let e = load(
        &env(&[("AERIE_DATA_DIR", "/x"), ("AERIE_BIND", "localhost")]),
        &Overrides::default(),
        false,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid AERIE_BIND: `localhost` is not an address like 127.0.0.1:8080"
    );

    let e = load(
        &env(&[
            ("AERIE_DATA_DIR", "/x"),
            ("AERIE_DATABASE_URL", "oracle://db"),
        ]),
        &Overrides::default(),
        false,
    )
    .unwrap_err();
    assert!(
        e.to_string().contains("unsupported database `oracle`"),
        "{e}"
    );

    let e = load(
        &env(&[("AERIE_CONFIG", "/nonexistent/aerie.toml")]),
        &Overrides::default(),
        false,
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("cannot read config file /nonexistent/aerie.toml"),
        "{e}"
    );

    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("a.toml");
    std::fs::write(&f, "[panel]\nbindd = 1\n").unwrap();
    let e = load(
        &env(&[("AERIE_CONFIG", f.to_str().unwrap())]),
        &Overrides::default(),
        false,
    )
    .unwrap_err();
    assert!(e.to_string().contains("unknown field `bindd`"), "{e}");
    assert!(!e.to_string().contains('\n'));
}

#[test]
fn database_urls_are_normalized() {
    assert_eq!(
        normalize_database_url("k", "mariadb://u:p@127.0.0.1/db").unwrap(),
        "mysql://u:p@127.0.0.1/db"
    );
    assert_eq!(
        normalize_database_url("k", "postgresql://127.0.0.1/db").unwrap(),
        "postgres://127.0.0.1/db"
    );
    assert!(normalize_database_url("k", "sqlite://").is_err());
    assert!(normalize_database_url("k", "no-scheme").is_err());
}

#[test]
fn mail_is_off_without_a_host_and_layered_when_set() {
    let none = load(
        &env(&[("AERIE_DATA_DIR", "/srv/a")]),
        &Overrides::default(),
        false,
    )
    .unwrap();
    assert!(none.config.mail.is_none());

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("aerie.toml"),
        "[mail]\nhost = \"smtp.example\"\nencryption = \"tls\"\nfrom_address = \"panel@example.com\"\npassword = \"hunter2\"\n",
    )
    .unwrap();
    let d = dir.path().to_str().unwrap();
    let m = load(&env(&[("AERIE_DATA_DIR", d)]), &Overrides::default(), false)
        .unwrap()
        .config
        .mail
        .unwrap();
    assert_eq!(m.host, "smtp.example");
    assert_eq!(m.port, 465);
    assert_eq!(m.encryption, MailEncryption::Tls);
    assert_eq!(m.from_name, "Aerie");
    assert_eq!(m.password.as_ref().unwrap().expose(), "hunter2");
    assert!(!format!("{m:?}").contains("hunter2"));

    let loaded = load(
        &env(&[
            ("AERIE_DATA_DIR", d),
            ("AERIE_MAIL_HOST", "127.0.0.1"),
            ("AERIE_MAIL_PORT", "2525"),
            ("AERIE_MAIL_ENCRYPTION", "none"),
        ]),
        &Overrides::default(),
        false,
    )
    .unwrap();
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let m = loaded.config.mail.unwrap();
    assert_eq!(
        (m.host.as_str(), m.port, m.encryption),
        ("127.0.0.1", 2525, MailEncryption::None)
    );

    let err = load(
        &env(&[("AERIE_DATA_DIR", "/srv/a"), ("AERIE_MAIL_HOST", "h")]),
        &Overrides::default(),
        false,
    )
    .unwrap_err();
    assert!(err.to_string().contains("from_address"), "{err}");
}
