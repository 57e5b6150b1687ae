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

#[test]
fn backups_stay_on_the_nodes_unless_s3_is_configured() {
    let c = load(
        &env(&[("AERIE_DATA_DIR", "/x")]),
        &Overrides::default(),
        false,
    )
    .unwrap();
    assert!(c.config.backups.s3.is_none());
    assert!(c.warnings.is_empty());

    // TOML: a custom endpoint defaults to path style; the secret comes from a file.
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("s3-secret");
    std::fs::write(&secret, "shh\n").unwrap();
    std::fs::write(
        dir.path().join("aerie.toml"),
        format!(
            "[backups]\ndisk = \"s3\"\ns3_endpoint = \"http://127.0.0.1:9000/\"\ns3_bucket = \"b\"\ns3_access_key_id = \"id\"\ns3_secret_access_key_file = \"{}\"\ns3_part_size_mb = 16\n",
            secret.display()
        ),
    )
    .unwrap();
    let d = dir.path().to_str().unwrap();
    let loaded = load(&env(&[("AERIE_DATA_DIR", d)]), &Overrides::default(), false).unwrap();
    let s3 = loaded.config.backups.s3.unwrap();
    assert_eq!(s3.endpoint, "http://127.0.0.1:9000");
    assert_eq!(s3.region, "us-east-1");
    assert_eq!(s3.bucket, "b");
    assert_eq!(s3.access_key_id, "id");
    assert_eq!(s3.secret_access_key.expose(), "shh");
    assert!(s3.path_style);
    assert_eq!(s3.part_size, 16 * 1024 * 1024);
    assert!(!format!("{s3:?}").contains("shh"));

    // Environment: AWS by default (virtual-host style, 5 GiB parts); env wins over TOML.
    let c = load(
        &env(&[
            ("AERIE_DATA_DIR", "/x"),
            ("AERIE_BACKUP_DISK", "s3"),
            ("AERIE_BACKUP_S3_REGION", "eu-west-1"),
            ("AERIE_BACKUP_S3_BUCKET", "backups"),
            ("AERIE_BACKUP_S3_ACCESS_KEY_ID", "AKIA"),
            ("AERIE_BACKUP_S3_SECRET_ACCESS_KEY", "s"),
        ]),
        &Overrides::default(),
        false,
    )
    .unwrap();
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    let s3 = c.config.backups.s3.unwrap();
    assert_eq!(s3.endpoint, "https://s3.eu-west-1.amazonaws.com");
    assert!(!s3.path_style);
    assert_eq!(s3.part_size, 5 * 1024 * 1024 * 1024);
    let c = load(
        &env(&[("AERIE_DATA_DIR", d), ("AERIE_BACKUP_DISK", "wings")]),
        &Overrides::default(),
        false,
    )
    .unwrap();
    assert!(c.config.backups.s3.is_none());

    // Errors name the setting.
    let err = |pairs: &[(&str, &str)]| {
        load(&env(pairs), &Overrides::default(), false)
            .unwrap_err()
            .to_string()
    };
    assert!(
        err(&[("AERIE_DATA_DIR", "/x"), ("AERIE_BACKUP_DISK", "ftp")])
            .contains("AERIE_BACKUP_DISK")
    );
    assert!(
        err(&[("AERIE_DATA_DIR", "/x"), ("AERIE_BACKUP_DISK", "s3")]).contains("backups.s3_bucket")
    );
    let base = [
        ("AERIE_DATA_DIR", "/x"),
        ("AERIE_BACKUP_DISK", "s3"),
        ("AERIE_BACKUP_S3_BUCKET", "b"),
        ("AERIE_BACKUP_S3_ACCESS_KEY_ID", "a"),
    ];
    assert!(err(&base).contains("backups.s3_secret_access_key"));
    let mut more = base.to_vec();
    more.push(("AERIE_BACKUP_S3_SECRET_ACCESS_KEY", "s"));
    more.push(("AERIE_BACKUP_S3_PART_SIZE_MB", "1"));
    assert!(err(&more).contains("s3_part_size_mb"));
    more.pop();
    more.push(("AERIE_BACKUP_S3_PATH_STYLE", "maybe"));
    assert!(err(&more).contains("AERIE_BACKUP_S3_PATH_STYLE"));
    more.pop();
    more.push(("AERIE_BACKUP_S3_ENDPOINT", "ftp://x"));
    assert!(err(&more).contains("AERIE_BACKUP_S3_ENDPOINT"));
}
