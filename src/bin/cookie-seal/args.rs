//! The command line: parsing, with lexopt (the help texts are in help.rs).
//!
//! lexopt only splits arguments; every message about a bad argument is written here, so
//! none of them echoes a value that may be a key (see [`shown`]).

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;
use std::str::FromStr;

use lexopt::Parser;

use crate::Failure;

/// The environment variable keys are read from unless --keys-env or --keys-file says else.
pub const DEFAULT_KEYS_ENV: &str = "SESSION_KEYS";

pub enum Command {
    Help(Topic),
    Version,
    Keygen(KeygenArgs),
    Seal(SealArgs),
    Open(OpenArgs),
    Inspect(InspectArgs),
}

#[derive(Clone, Copy)]
pub enum Topic {
    Main,
    Keygen,
    Seal,
    Open,
    Inspect,
}

pub struct KeygenArgs {
    pub id: Option<String>,
    pub now: Option<u64>,
}

/// What `seal` and `open` share: the keys and the Sealer options.
pub struct SealerArgs {
    pub keys: KeySource,
    pub name: String,
    pub purpose: Option<String>,
    pub max_len: Option<usize>,
    pub now: Option<u64>,
}

pub struct SealArgs {
    pub sealer: SealerArgs,
    pub ttl: Option<u64>,
    pub input: Input,
}

pub struct OpenArgs {
    pub sealer: SealerArgs,
    pub leeway: Option<u64>,
    pub input: Input,
}

pub struct InspectArgs {
    pub name: Option<String>,
    pub max_len: Option<usize>,
    pub input: Input,
}

/// Where the keyring comes from. There is deliberately no variant for a key given on the
/// command line: any user on the machine can read other processes' arguments with `ps`.
pub enum KeySource {
    Env(OsString),
    File(PathBuf),
}

pub enum Input {
    Stdin,
    File(PathBuf),
    Arg(OsString),
}

/// One command-line token, owned, so the parser can be asked for the option's value while
/// the option name is still being matched.
enum Token {
    /// `-h` or `--name`, as typed before any `=`.
    Flag(String),
    Value(OsString),
}

fn next(p: &mut Parser) -> Result<Option<Token>, Failure> {
    Ok(match p.next().map_err(lex)? {
        None => None,
        Some(lexopt::Arg::Short(c)) => Some(Token::Flag(format!("-{c}"))),
        Some(lexopt::Arg::Long(name)) => Some(Token::Flag(format!("--{name}"))),
        Some(lexopt::Arg::Value(value)) => Some(Token::Value(value)),
    })
}

/// Parses the arguments after the program name.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Command, Failure> {
    let mut p = Parser::from_args(args);
    let command = match next(&mut p)? {
        None => {
            return Err(Failure::usage("no command given; try: cookie-seal --help"));
        }
        Some(Token::Flag(flag)) => match flag.as_str() {
            "-h" | "--help" => return help_flag(&mut p, Topic::Main),
            "-V" | "--version" => return Ok(Command::Version),
            _ => return Err(unknown_flag(&flag, None)),
        },
        Some(Token::Value(command)) => command,
    };
    match command.to_str() {
        Some("keygen") => parse_keygen(&mut p),
        Some("seal") => parse_seal(&mut p),
        Some("open") => parse_open(&mut p),
        Some("inspect") => parse_inspect(&mut p),
        Some("help") => parse_help(&mut p),
        _ => Err(Failure::usage(format!(
            "unknown command {}; the commands are keygen, seal, open, inspect, help",
            shown(&command)
        ))),
    }
}

fn parse_help(p: &mut Parser) -> Result<Command, Failure> {
    let topic = match next(p)? {
        None => Topic::Main,
        Some(Token::Value(command)) => match command.to_str() {
            Some("keygen") => Topic::Keygen,
            Some("seal") => Topic::Seal,
            Some("open") => Topic::Open,
            Some("inspect") => Topic::Inspect,
            Some("help") => Topic::Main,
            _ => return Err(Failure::usage(format!("no help for {}", shown(&command)))),
        },
        Some(Token::Flag(flag)) => return Err(unknown_flag(&flag, None)),
    };
    match next(p)? {
        None => Ok(Command::Help(topic)),
        Some(token) => Err(unexpected(token, "help")),
    }
}

fn parse_keygen(p: &mut Parser) -> Result<Command, Failure> {
    let mut args = KeygenArgs {
        id: None,
        now: None,
    };
    while let Some(token) = next(p)? {
        match &token {
            Token::Flag(flag) => match flag.as_str() {
                "-h" | "--help" => return help_flag(p, Topic::Keygen),
                "--id" => args.id = Some(string(p, flag)?),
                "--now" => args.now = Some(number(p, flag)?),
                _ => return Err(unexpected(token, "keygen")),
            },
            Token::Value(_) => return Err(unexpected(token, "keygen")),
        }
    }
    Ok(Command::Keygen(args))
}

/// Options `seal` and `open` share, gathered before the Sealer can be built.
#[derive(Default)]
struct Shared {
    keys_env: Option<OsString>,
    keys_file: Option<PathBuf>,
    name: Option<String>,
    purpose: Option<String>,
    max_len: Option<usize>,
    now: Option<u64>,
    input_file: Option<PathBuf>,
}

impl Shared {
    /// Takes `flag` (and its value) if it is one of the shared options.
    fn take(&mut self, flag: &str, p: &mut Parser) -> Result<bool, Failure> {
        match flag {
            "--keys-env" => self.keys_env = Some(p.value().map_err(lex)?),
            "--keys-file" => self.keys_file = Some(p.value().map_err(lex)?.into()),
            "--name" => self.name = Some(string(p, flag)?),
            "--purpose" => self.purpose = Some(string(p, flag)?),
            "--max-len" => self.max_len = Some(number(p, flag)?),
            "--now" => self.now = Some(number(p, flag)?),
            "--in" => self.input_file = Some(p.value().map_err(lex)?.into()),
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn sealer_args(&mut self, command: &str) -> Result<SealerArgs, Failure> {
        let keys = match (self.keys_env.take(), self.keys_file.take()) {
            (Some(_), Some(_)) => {
                return Err(Failure::usage("give --keys-env or --keys-file, not both"));
            }
            (_, Some(path)) => KeySource::File(path),
            (Some(name), None) => KeySource::Env(name),
            (None, None) => KeySource::Env(DEFAULT_KEYS_ENV.into()),
        };
        let name = self.name.take().ok_or_else(|| {
            Failure::usage(format!(
                "{command} needs --name COOKIE_NAME: values are bound to their cookie's name"
            ))
        })?;
        Ok(SealerArgs {
            keys,
            name,
            purpose: self.purpose.take(),
            max_len: self.max_len,
            now: self.now,
        })
    }

    fn input(&mut self, value: Option<OsString>) -> Result<Input, Failure> {
        match (self.input_file.take(), value) {
            (Some(_), Some(_)) => Err(Failure::usage(
                "give the value as an argument or with --in FILE, not both",
            )),
            (Some(path), None) => Ok(Input::File(path)),
            (None, Some(value)) => Ok(Input::Arg(value)),
            (None, None) => Ok(Input::Stdin),
        }
    }
}

fn parse_seal(p: &mut Parser) -> Result<Command, Failure> {
    let mut shared = Shared::default();
    let mut ttl = None;
    while let Some(token) = next(p)? {
        match &token {
            Token::Flag(flag) => match flag.as_str() {
                "-h" | "--help" => return help_flag(p, Topic::Seal),
                "--ttl" => ttl = Some(number(p, flag)?),
                _ if shared.take(flag, p)? => {}
                _ => return Err(unexpected(token, "seal")),
            },
            // The payload is a session, often secret: it never travels as an argument.
            Token::Value(_) => return Err(unexpected(token, "seal")),
        }
    }
    Ok(Command::Seal(SealArgs {
        sealer: shared.sealer_args("seal")?,
        ttl,
        input: shared.input(None)?,
    }))
}

fn parse_open(p: &mut Parser) -> Result<Command, Failure> {
    let mut shared = Shared::default();
    let mut leeway = None;
    let mut value = None;
    while let Some(token) = next(p)? {
        match token {
            Token::Flag(ref flag) => match flag.as_str() {
                "-h" | "--help" => return help_flag(p, Topic::Open),
                "--leeway" => leeway = Some(number(p, flag)?),
                _ if shared.take(flag, p)? => {}
                _ => return Err(unexpected(token, "open")),
            },
            Token::Value(v) if value.is_none() => value = Some(v),
            Token::Value(_) => return Err(unexpected(token, "open")),
        }
    }
    Ok(Command::Open(OpenArgs {
        sealer: shared.sealer_args("open")?,
        leeway,
        input: shared.input(value)?,
    }))
}

fn parse_inspect(p: &mut Parser) -> Result<Command, Failure> {
    let mut shared = Shared::default();
    let mut value = None;
    while let Some(token) = next(p)? {
        match token {
            Token::Flag(ref flag) => match flag.as_str() {
                "-h" | "--help" => return help_flag(p, Topic::Inspect),
                "--name" | "--max-len" | "--in" => {
                    shared.take(flag, p)?;
                }
                _ => return Err(unexpected(token, "inspect")),
            },
            Token::Value(v) if value.is_none() => value = Some(v),
            Token::Value(_) => return Err(unexpected(token, "inspect")),
        }
    }
    Ok(Command::Inspect(InspectArgs {
        name: shared.name.take(),
        max_len: shared.max_len,
        input: shared.input(value)?,
    }))
}

/// `--help` wins over everything else on the line (a user asking for help gets it even
/// with a required option missing), but `--help=x` is still a mistake.
fn help_flag(p: &mut Parser, topic: Topic) -> Result<Command, Failure> {
    match p.optional_value() {
        None => Ok(Command::Help(topic)),
        Some(_) => Err(Failure::usage("--help takes no value")),
    }
}

fn string(p: &mut Parser, flag: &str) -> Result<String, Failure> {
    p.value()
        .map_err(lex)?
        .into_string()
        .map_err(|_| Failure::usage(format!("the value of {flag} is not UTF-8")))
}

fn number<T: FromStr>(p: &mut Parser, flag: &str) -> Result<T, Failure> {
    let value = p.value().map_err(lex)?;
    value
        .to_str()
        .and_then(|text| text.parse().ok())
        .ok_or_else(|| {
            Failure::usage(format!(
                "{flag} takes a whole number, got {}",
                shown(&value)
            ))
        })
}

fn unexpected(token: Token, command: &str) -> Failure {
    match token {
        Token::Flag(flag) => unknown_flag(&flag, Some(command)),
        Token::Value(value) => Failure::usage(format!(
            "unexpected argument {} for {command}; see: cookie-seal {command} --help",
            shown(&value)
        )),
    }
}

fn unknown_flag(flag: &str, command: Option<&str>) -> Failure {
    let hint = match command {
        Some(command) => format!("cookie-seal {command} --help"),
        None => "cookie-seal --help".to_owned(),
    };
    Failure::usage(format!(
        "unknown option {}; see: {hint}",
        shown(OsStr::new(flag))
    ))
}

/// lexopt's own messages quote the offending value; these do not (see [`shown`]).
fn lex(err: lexopt::Error) -> Failure {
    Failure::usage(match err {
        lexopt::Error::MissingValue {
            option: Some(option),
        } => {
            format!("{} needs a value", shown(OsStr::new(&option)))
        }
        lexopt::Error::MissingValue { option: None } => "an option needs a value".to_owned(),
        lexopt::Error::UnexpectedValue { option, .. } => {
            format!("{} takes no value", shown(OsStr::new(&option)))
        }
        lexopt::Error::UnexpectedOption(option) => {
            format!("unknown option {}", shown(OsStr::new(&option)))
        }
        lexopt::Error::UnexpectedArgument(value) => {
            format!("unexpected argument {}", shown(&value))
        }
        lexopt::Error::NonUnicodeValue(_) => "an argument is not UTF-8".to_owned(),
        lexopt::Error::ParsingFailed { .. } | lexopt::Error::Custom(_) => {
            "bad command line".to_owned()
        }
    })
}

/// An argument as it may be quoted in an error message. A key pasted in the wrong place
/// (`cookie-seal seal k1:AbC…`) must not be copied into a CI log by the error about it: an
/// argument holding a run of 20 or more base64url characters (a key is 43) is described by
/// its length instead. Typos, numbers and paths are short or broken up by `/` and `.`.
pub fn shown(text: &OsStr) -> String {
    let text = text.to_string_lossy();
    let mut run = 0;
    let mut longest = 0;
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    if longest >= 20 {
        format!(
            "(an argument of {} characters, not shown: it may be a key)",
            text.chars().count()
        )
    } else {
        format!("{text:?}")
    }
}
