//! Signed checkpoints in the C2SP formats, so standard transparency-log tooling can read them:
//!
//! - **tlog-checkpoint** (c2sp.org/tlog-checkpoint): the note text is the origin line, the tree
//!   size in decimal, the base64 root hash, then extension lines. Gevinst adds one extension
//!   line, `time <RFC 3339 UTC>`, the server time at signing (informational: the signature
//!   covers it, but nothing orders checkpoints by it).
//! - **signed-note** (c2sp.org/signed-note): after the text, an empty line, then one signature
//!   line per signer, `— <key name> <base64(key hash ‖ signature)>` (U+2014 EM DASH). For
//!   Ed25519 the 4-byte key hash is the first four bytes of SHA-256(key name ‖ "\n" ‖ 0x01 ‖
//!   32-byte public key), and the signature is Ed25519 over the text (up to and including its
//!   last newline).
//! - Keys are written the way Go's `golang.org/x/mod/sumdb/note` writes them: the verifier key
//!   `<name>+<hex key hash>+<base64(0x01 ‖ public key)>`, the signer key
//!   `PRIVATE+KEY+<name>+<hex key hash>+<base64(0x01 ‖ 32-byte seed)>`.
//!
//! Parsing is strict: a note that does not follow the format is refused with a reason, never
//! guessed at. Signatures by other keys are ignored (a note may carry witnesses' signatures).

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::merkle::Hash;

/// The log's default origin and key name.
pub const DEFAULT_ORIGIN: &str = "gevinst.kk.dk/log";

/// The signature algorithm byte of Ed25519 in signed-note keys.
const ALG_ED25519: u8 = 0x01;

/// Why a key or note is not usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    /// A key string is malformed.
    #[error("ugyldig nøgle: {0}")]
    Key(String),
    /// The note text is malformed.
    #[error("ugyldigt kontrolpunkt: {0}")]
    Format(String),
    /// No signature by the expected key.
    #[error("kontrolpunktet har ingen signatur med nøglen {0}")]
    NotSigned(String),
    /// A signature by the expected key that does not verify.
    #[error("kontrolpunktets signatur med nøglen {0} er ugyldig: teksten er ændret, eller signaturen er forfalsket")]
    BadSignature(String),
}

fn check_name(name: &str) -> Result<(), NoteError> {
    if name.is_empty() || name.contains('+') || name.chars().any(char::is_whitespace) {
        return Err(NoteError::Key(format!(
            "nøglenavnet «{name}» må ikke være tomt og ikke indeholde «+» eller mellemrum"
        )));
    }
    Ok(())
}

/// The 4-byte key hash of an Ed25519 key (see the module docs).
#[must_use]
pub fn key_hash(name: &str, public: &VerifyingKey) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update([ALG_ED25519]);
    h.update(public.as_bytes());
    let d = h.finalize();
    [d[0], d[1], d[2], d[3]]
}

/// A public key that checks signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteVerifier {
    name: String,
    hash: [u8; 4],
    key: VerifyingKey,
}

impl NoteVerifier {
    /// From a verifier key string `<name>+<hex hash>+<base64(0x01 ‖ key)>`.
    pub fn parse(vkey: &str) -> Result<Self, NoteError> {
        let mut parts = vkey.trim().splitn(3, '+');
        let (Some(name), Some(hash), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(NoteError::Key(
                "forventede <navn>+<nøglehash>+<nøgle>".to_string(),
            ));
        };
        check_name(name)?;
        let bytes = B64
            .decode(key)
            .map_err(|e| NoteError::Key(format!("nøglen er ikke base64: {e}")))?;
        let Some((&ALG_ED25519, raw)) = bytes.split_first() else {
            return Err(NoteError::Key(
                "ikke en Ed25519-nøgle (algoritmebyte 0x01)".into(),
            ));
        };
        let raw: [u8; 32] = raw
            .try_into()
            .map_err(|_| NoteError::Key("en offentlig Ed25519-nøgle har 32 byte".into()))?;
        let key = VerifyingKey::from_bytes(&raw)
            .map_err(|e| NoteError::Key(format!("ikke en offentlig Ed25519-nøgle: {e}")))?;
        let expected = key_hash(name, &key);
        if hex::encode(expected) != hash.to_ascii_lowercase() {
            return Err(NoteError::Key(format!(
                "nøglehashen {hash} passer ikke med nøglen (forventet {})",
                hex::encode(expected)
            )));
        }
        Ok(Self {
            name: name.to_string(),
            hash: expected,
            key,
        })
    }

    /// The key name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key hash, lower-case hex.
    #[must_use]
    pub fn key_id(&self) -> String {
        hex::encode(self.hash)
    }

    /// The verifier key string.
    #[must_use]
    pub fn to_vkey(&self) -> String {
        let mut bytes = vec![ALG_ED25519];
        bytes.extend_from_slice(self.key.as_bytes());
        format!("{}+{}+{}", self.name, self.key_id(), B64.encode(bytes))
    }
}

/// A private key that signs notes. Its `Debug` never shows the key.
#[derive(Clone)]
pub struct NoteSigner {
    name: String,
    key: SigningKey,
}

impl std::fmt::Debug for NoteSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NoteSigner")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl NoteSigner {
    /// A signer named `name` with the Ed25519 key of `seed` (32 secret random bytes).
    pub fn from_seed(name: &str, seed: [u8; 32]) -> Result<Self, NoteError> {
        check_name(name)?;
        Ok(Self {
            name: name.to_string(),
            key: SigningKey::from_bytes(&seed),
        })
    }

    /// From a signer key string `PRIVATE+KEY+<name>+<hex hash>+<base64(0x01 ‖ seed)>`.
    pub fn parse(skey: &str) -> Result<Self, NoteError> {
        let mut parts = skey.trim().splitn(5, '+');
        let (Some("PRIVATE"), Some("KEY"), Some(name), Some(hash), Some(key)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(NoteError::Key(
                "forventede PRIVATE+KEY+<navn>+<nøglehash>+<nøgle>".to_string(),
            ));
        };
        let bytes = B64
            .decode(key)
            .map_err(|e| NoteError::Key(format!("nøglen er ikke base64: {e}")))?;
        let Some((&ALG_ED25519, raw)) = bytes.split_first() else {
            return Err(NoteError::Key(
                "ikke en Ed25519-nøgle (algoritmebyte 0x01)".into(),
            ));
        };
        let seed: [u8; 32] = raw
            .try_into()
            .map_err(|_| NoteError::Key("en privat Ed25519-nøgle har 32 byte".into()))?;
        let signer = Self::from_seed(name, seed)?;
        if signer.verifier().key_id() != hash.to_ascii_lowercase() {
            return Err(NoteError::Key(format!(
                "nøglehashen {hash} passer ikke med nøglen"
            )));
        }
        Ok(signer)
    }

    /// The signer key string (secret: write it only to a private file).
    #[must_use]
    pub fn to_skey(&self) -> String {
        let mut bytes = vec![ALG_ED25519];
        bytes.extend_from_slice(&self.key.to_bytes());
        format!(
            "PRIVATE+KEY+{}+{}+{}",
            self.name,
            self.verifier().key_id(),
            B64.encode(bytes)
        )
    }

    /// The matching public key.
    #[must_use]
    pub fn verifier(&self) -> NoteVerifier {
        let key = self.key.verifying_key();
        NoteVerifier {
            hash: key_hash(&self.name, &key),
            name: self.name.clone(),
            key,
        }
    }

    /// The key name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Signs `text` (which must end in a newline) as a signed note.
    pub fn sign(&self, text: &str) -> Result<String, NoteError> {
        check_text(text)?;
        let signature = self.key.sign(text.as_bytes());
        let mut bytes = key_hash(&self.name, &self.key.verifying_key()).to_vec();
        bytes.extend_from_slice(&signature.to_bytes());
        Ok(format!("{text}\n— {} {}\n", self.name, B64.encode(bytes)))
    }
}

fn check_text(text: &str) -> Result<(), NoteError> {
    if !text.ends_with('\n') {
        return Err(NoteError::Format(
            "teksten skal slutte med et linjeskift".into(),
        ));
    }
    if text.contains("\n\n") || text.starts_with('\n') {
        return Err(NoteError::Format(
            "teksten må ikke indeholde en tom linje".into(),
        ));
    }
    Ok(())
}

/// A signature line: the key name and the base64 signature.
type SignatureLine<'a> = (&'a str, &'a str);

/// Splits a signed note into its text and its signature lines.
fn split_note(note: &str) -> Result<(&str, Vec<SignatureLine<'_>>), NoteError> {
    let Some(at) = note.rfind("\n\n") else {
        return Err(NoteError::Format(
            "ingen tom linje mellem teksten og signaturerne".into(),
        ));
    };
    let (text, sigs) = (&note[..=at], &note[at + 2..]);
    check_text(text)?;
    if !sigs.ends_with('\n') {
        return Err(NoteError::Format(
            "den sidste signaturlinje har intet linjeskift".into(),
        ));
    }
    let mut lines = Vec::new();
    for line in sigs.lines() {
        let Some(rest) = line.strip_prefix("— ") else {
            return Err(NoteError::Format(format!(
                "signaturlinjen «{line}» begynder ikke med «— »"
            )));
        };
        let Some((name, sig)) = rest.split_once(' ') else {
            return Err(NoteError::Format(format!(
                "signaturlinjen «{line}» har ingen signatur"
            )));
        };
        lines.push((name, sig));
    }
    if lines.is_empty() {
        return Err(NoteError::Format("ingen signaturlinjer".into()));
    }
    Ok((text, lines))
}

/// Checks that `note` is signed by `verifier`; returns the signed text.
pub fn open(note: &str, verifier: &NoteVerifier) -> Result<String, NoteError> {
    let (text, lines) = split_note(note)?;
    let mut found = false;
    for (name, sig) in lines {
        if name != verifier.name {
            continue;
        }
        let Ok(bytes) = B64.decode(sig) else {
            return Err(NoteError::Format(format!(
                "signaturen fra {name} er ikke base64"
            )));
        };
        if bytes.len() != 4 + 64 || bytes[..4] != verifier.hash {
            continue;
        }
        found = true;
        let signature = Signature::from_slice(&bytes[4..])
            .map_err(|_| NoteError::BadSignature(verifier.key_id()))?;
        verifier
            .key
            .verify(text.as_bytes(), &signature)
            .map_err(|_| NoteError::BadSignature(verifier.key_id()))?;
    }
    if found {
        Ok(text.to_string())
    } else {
        Err(NoteError::NotSigned(verifier.to_vkey()))
    }
}

/// The content of a checkpoint: which log, how many leaves, which root, when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's origin line.
    pub origin: String,
    /// Leaves covered: positions `1..=size`.
    pub size: u64,
    /// The Merkle root of those leaves.
    pub root: Hash,
    /// The `time` extension line's value (RFC 3339), if present.
    pub time: Option<String>,
}

impl Checkpoint {
    /// The note text (what is signed).
    #[must_use]
    pub fn text(&self) -> String {
        let mut t = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            B64.encode(self.root)
        );
        if let Some(time) = &self.time {
            t.push_str(&format!("time {time}\n"));
        }
        t
    }

    /// Parses a checkpoint's text (not its signatures).
    pub fn parse_text(text: &str) -> Result<Self, NoteError> {
        let mut lines = text.lines();
        let origin = lines
            .next()
            .filter(|o| !o.is_empty())
            .ok_or_else(|| NoteError::Format("ingen linje med loggens navn".into()))?;
        let size_line = lines
            .next()
            .ok_or_else(|| NoteError::Format("ingen linje med træets størrelse".into()))?;
        if size_line.is_empty()
            || !size_line.bytes().all(|b| b.is_ascii_digit())
            || (size_line.len() > 1 && size_line.starts_with('0'))
        {
            return Err(NoteError::Format(format!(
                "træstørrelsen «{size_line}» er ikke et decimaltal"
            )));
        }
        let size = size_line
            .parse()
            .map_err(|_| NoteError::Format(format!("træstørrelsen «{size_line}» er for stor")))?;
        let root_line = lines
            .next()
            .ok_or_else(|| NoteError::Format("ingen linje med rodhashen".into()))?;
        let root: Hash = B64
            .decode(root_line)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| {
                NoteError::Format(format!("rodhashen «{root_line}» er ikke 32 byte i base64"))
            })?;
        let time = lines
            .filter_map(|l| l.strip_prefix("time "))
            .next()
            .map(str::to_string);
        Ok(Self {
            origin: origin.to_string(),
            size,
            root,
            time,
        })
    }

    /// Signs the checkpoint as a signed note.
    pub fn sign(&self, signer: &NoteSigner) -> Result<String, NoteError> {
        signer.sign(&self.text())
    }

    /// Checks `note`'s signature by `verifier` and that its origin is the verifier's key name,
    /// then parses it.
    pub fn open(note: &str, verifier: &NoteVerifier) -> Result<Self, NoteError> {
        let text = open(note, verifier)?;
        let checkpoint = Self::parse_text(&text)?;
        if checkpoint.origin != verifier.name {
            return Err(NoteError::Format(format!(
                "kontrolpunktet gælder loggen «{}», nøglen «{}»",
                checkpoint.origin, verifier.name
            )));
        }
        Ok(checkpoint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The example of Go's golang.org/x/mod/sumdb/note, re-checked in Python (`cryptography`).
    const GO_SKEY: &str =
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    const GO_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const GO_NOTE: &str = "If you think cryptography is the answer to your problem,\n\
        then you don't know what your problem is.\n\
        \n\
        — PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

    // Our own checkpoint, signed in Python with seed [7; 32] (Ed25519 is deterministic).
    const OUR_VKEY: &str =
        "gevinst.kk.dk/log+0751aeae+AepKbGPinFIKvvVQexMuxfmVR3auvr57kkIe6mkURtIs";
    const OUR_NOTE: &str = "gevinst.kk.dk/log\n7\nNWAZGAMChESyMgGKwEf9tWHAnCOnpodsheCLXk1I6fM=\n\
        time 2025-01-15T09:00:00Z\n\
        \n\
        — gevinst.kk.dk/log B1GurtQqa21546Zbv0xrI4NZdmku6YqY5308gagibGB1j6G/df2D/7bTNzl4Sbw+EZoEXMWTb2MibegN6JtA2pb05gc=\n";

    #[test]
    fn go_keys_and_note_are_understood_and_reproduced() {
        let signer = NoteSigner::parse(GO_SKEY).unwrap();
        assert_eq!(signer.verifier().to_vkey(), GO_VKEY);
        assert_eq!(signer.to_skey(), GO_SKEY);
        let verifier = NoteVerifier::parse(GO_VKEY).unwrap();
        let text = open(GO_NOTE, &verifier).unwrap();
        assert!(text.starts_with("If you think"));
        let (body, _) = GO_NOTE.split_at(GO_NOTE.find("\n\n").unwrap() + 1);
        assert_eq!(signer.sign(body).unwrap(), GO_NOTE);
    }

    #[test]
    fn our_checkpoint_is_the_known_answer() {
        let signer = NoteSigner::from_seed(DEFAULT_ORIGIN, [7; 32]).unwrap();
        assert_eq!(signer.verifier().to_vkey(), OUR_VKEY);
        let checkpoint = Checkpoint {
            origin: DEFAULT_ORIGIN.to_string(),
            size: 7,
            root: hex::decode("3560191803028444b232018ac047fdb561c09c23a7a6876c85e08b5e4d48e9f3")
                .unwrap()
                .try_into()
                .unwrap(),
            time: Some("2025-01-15T09:00:00Z".to_string()),
        };
        assert_eq!(checkpoint.sign(&signer).unwrap(), OUR_NOTE);
        let verifier = NoteVerifier::parse(OUR_VKEY).unwrap();
        assert_eq!(Checkpoint::open(OUR_NOTE, &verifier).unwrap(), checkpoint);
    }

    #[test]
    fn a_tampered_checkpoint_or_signature_is_refused() {
        let verifier = NoteVerifier::parse(OUR_VKEY).unwrap();
        let bigger = OUR_NOTE.replacen("\n7\n", "\n8\n", 1);
        assert!(matches!(
            Checkpoint::open(&bigger, &verifier),
            Err(NoteError::BadSignature(_))
        ));
        let sig_at = OUR_NOTE.find("B1Gur").unwrap() + 10;
        let mut forged = OUR_NOTE.to_string();
        forged.replace_range(sig_at..=sig_at, "A");
        assert!(matches!(
            Checkpoint::open(&forged, &verifier),
            Err(NoteError::BadSignature(_))
        ));
        let other = NoteSigner::from_seed(DEFAULT_ORIGIN, [8; 32]).unwrap();
        assert!(matches!(
            Checkpoint::open(OUR_NOTE, &other.verifier()),
            Err(NoteError::NotSigned(_))
        ));
        let unsigned = OUR_NOTE.split("\n\n").next().unwrap().to_string() + "\n";
        assert!(matches!(
            Checkpoint::open(&unsigned, &verifier),
            Err(NoteError::Format(_))
        ));
        assert!(NoteVerifier::parse(
            "gevinst.kk.dk/log+00000000+AepKbGPinFIKvvVQexMuxfmVR3auvr57kkIe6mkURtIs"
        )
        .is_err());
        assert!(Checkpoint::parse_text("log\n07\nAAAA\n").is_err());
        assert!(NoteSigner::from_seed("has space", [1; 32]).is_err());
    }
}
