//! Outgoing e-mail over SMTP (lettre on tokio, rustls for TLS). The panel sends mail only
//! when a [`Mailer`] is configured (`[mail]` in the config file, or `AERIE_MAIL_*`);
//! without one, password-reset requests are still answered the same way but nothing is
//! sent, and a warning is logged.

use aerie_http::Error;
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encryption {
    /// Plain text (local relays, test servers).
    None,
    /// Plain connection upgraded with STARTTLS (usually port 587).
    #[default]
    StartTls,
    /// TLS from the first byte (usually port 465).
    Tls,
}

/// What a [`Mailer`] needs; the binary fills it from `aerie_config::MailConfig`.
#[derive(Clone, Default)]
pub struct MailSettings {
    /// SMTP host.
    pub host: String,
    /// SMTP port.
    pub port: u16,
    /// Connection protection.
    pub encryption: Encryption,
    /// Login, if the server wants one.
    pub username: Option<String>,
    /// Password for `username`.
    pub password: Option<String>,
    /// The sender address.
    pub from_address: String,
    /// The sender's display name.
    pub from_name: Option<String>,
}

impl std::fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("encryption", &self.encryption)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "[redacted]"))
            .field("from_address", &self.from_address)
            .field("from_name", &self.from_name)
            .finish()
    }
}

/// A configured SMTP sender. Cheap to clone (the connection pool is shared).
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from).finish()
    }
}

impl Mailer {
    /// Builds a sender; nothing is connected until the first message.
    ///
    /// # Errors
    /// [`Error::Internal`] when the sender address is not an address, or TLS cannot be set up.
    pub fn new(settings: &MailSettings) -> Result<Self, Error> {
        let address = settings
            .from_address
            .parse()
            .map_err(|e| Error::internal(format!("mail from_address: {e}")))?;
        let from = Mailbox::new(settings.from_name.clone(), address);
        let tls = || {
            TlsParameters::new(settings.host.clone())
                .map_err(|e| Error::internal(format!("mail TLS: {e}")))
        };
        let mut builder =
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(settings.host.clone())
                .port(settings.port)
                .timeout(Some(std::time::Duration::from_secs(15)));
        builder = match settings.encryption {
            Encryption::None => builder.tls(Tls::None),
            Encryption::StartTls => builder.tls(Tls::Required(tls()?)),
            Encryption::Tls => builder.tls(Tls::Wrapper(tls()?)),
        };
        if let Some(user) = settings.username.clone().filter(|u| !u.is_empty()) {
            builder = builder.credentials(Credentials::new(
                user,
                settings.password.clone().unwrap_or_default(),
            ));
        }
        Ok(Self {
            transport: builder.build(),
            from,
        })
    }

    /// Sends a plain-text message.
    ///
    /// # Errors
    /// [`Error::BadRequest`] for an unusable recipient address, [`Error::Unavailable`]
    /// when the SMTP server refuses or cannot be reached.
    pub async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), Error> {
        let to: Mailbox = to
            .parse()
            .map_err(|_| Error::BadRequest("The e-mail address is not valid.".into()))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_owned())
            .map_err(Error::internal)?;
        self.transport.send(message).await.map(|_| ()).map_err(|e| {
            Error::Unavailable(format!("The mail server did not accept the message: {e}"))
        })
    }
}
