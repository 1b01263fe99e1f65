//! The vocabulary of Porte-voix. Codes are English and stable (they are
//! stored in documents and sent over the wire); the French labels live in
//! the PWA's catalogue.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use utoipa::ToSchema;

/// Declares a closed set of wire codes with parsing and display.
macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
        pub enum $name {
            $(#[serde(rename = $code)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire code.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
        }

        impl FromStr for $name {
            type Err = UnknownCode;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($code => Ok($name::$variant),)+
                    _ => Err(UnknownCode { kind: stringify!($name), value: s.chars().take(40).collect() }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

/// A value that is not one of the known codes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
// The value is kept for the caller but never printed: messages reach
// phones and logs, and a refused value may be free text.
#[error("unknown {kind} code")]
pub struct UnknownCode {
    pub kind: &'static str,
    pub value: String,
}

code_enum!(
    /// Who a user is, and so what they may read and write.
    Role {
        Volunteer => "volunteer",
        Commune => "commune",
        Officer => "officer",
        Admin => "admin",
    }
);

code_enum!(
    /// The three words the conseil uses: préoccupation / attente / proposition.
    ContributionKind {
        Concern => "concern",
        Expectation => "expectation",
        Proposal => "proposal",
    }
);

code_enum!(
    /// The default list of policy domains (a campaign may use a subset).
    Theme {
        Cleanliness => "cleanliness",
        Water => "water",
        Mobility => "mobility",
        Social => "social",
        Housing => "housing",
        UrbanDevelopment => "urban_development",
        Economy => "economy",
        Education => "education",
        Culture => "culture",
        Ecology => "ecology",
        Health => "health",
        Safety => "safety",
        LocalDemocracy => "local_democracy",
    }
);

code_enum!(
    /// Processing status set by the officer. A contribution without a
    /// review is `New`.
    Status {
        New => "new",
        Qualified => "qualified",
        Forwarded => "forwarded",
        Answered => "answered",
        Closed => "closed",
        Duplicate => "duplicate",
        OffTopic => "off_topic",
    }
);

code_enum!(
    /// Status of a topic (« sujet »): ouvert → transmis → réponse apportée
    /// → clos (rules in `workflow`).
    TopicStatus {
        Open => "open",
        Forwarded => "forwarded",
        Answered => "answered",
        Closed => "closed",
    }
);

code_enum!(
    /// How the point of a contribution was obtained.
    LocationSource {
        Gps => "gps",
        Map => "map",
        Commune => "commune",
    }
);

code_enum!(
    /// What happened at a door during an outing.
    DoorStatus {
        Visited => "visite",
        Absent => "absent",
        Refused => "refus",
        Revisit => "a_revoir",
    }
);

code_enum!(
    /// Respondent age bracket (never an exact age).
    AgeBracket {
        Under18 => "under_18",
        From18To29 => "18_29",
        From30To44 => "30_44",
        From45To59 => "45_59",
        From60To74 => "60_74",
        From75 => "75_plus",
    }
);

code_enum!(
    /// Respondent gender, as they chose to declare it.
    Gender {
        Woman => "woman",
        Man => "man",
        Other => "other",
        Undisclosed => "undisclosed",
    }
);

code_enum!(
    /// Why the respondent is concerned by the territory.
    Relation {
        Resident => "resident",
        Worker => "worker",
        Association => "association",
        Business => "business",
    }
);

code_enum!(
    /// The kind of district the respondent lives in.
    DistrictType {
        Priority => "priority",
        Urban => "urban",
        Suburban => "suburban",
        Rural => "rural",
    }
);

/// An INSEE code of a commune or of a Lyon arrondissement: five characters,
/// digits (or `2A`/`2B` for Corsica, so that other territories work too).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "69266")]
pub struct CommuneCode(String);

/// A string that is not an INSEE code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
// Never prints the refused value (see `UnknownCode`).
#[error("not an INSEE commune code")]
pub struct BadCommuneCode(pub String);

impl CommuneCode {
    pub fn parse(s: &str) -> Result<Self, BadCommuneCode> {
        let bytes = s.as_bytes();
        let ok = bytes.len() == 5
            && bytes[0].is_ascii_digit()
            && (bytes[1].is_ascii_digit() || matches!(bytes[1], b'A' | b'B'))
            && bytes[2..].iter().all(u8::is_ascii_digit);
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(BadCommuneCode(s.chars().take(12).collect()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CommuneCode {
    type Error = BadCommuneCode;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<CommuneCode> for String {
    fn from(c: CommuneCode) -> String {
        c.0
    }
}

impl fmt::Display for CommuneCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_through_their_wire_form() {
        for t in Theme::ALL {
            assert_eq!(t.code().parse::<Theme>().unwrap(), *t);
        }
        for s in Status::ALL {
            assert_eq!(
                serde_json::to_string(s).unwrap(),
                format!("\"{}\"", s.code())
            );
        }
        assert_eq!(
            "a_revoir".parse::<DoorStatus>().unwrap(),
            DoorStatus::Revisit
        );
    }

    #[test]
    fn unknown_code_is_an_error_naming_the_kind() {
        let err = "complaint".parse::<ContributionKind>().unwrap_err();
        assert_eq!(err.kind, "ContributionKind");
    }

    #[test]
    fn commune_codes_are_five_insee_characters() {
        assert!(CommuneCode::parse("69123").is_ok());
        assert!(CommuneCode::parse("2A004").is_ok());
        for bad in ["6912", "691234", "69x23", "", "abcde"] {
            assert!(CommuneCode::parse(bad).is_err(), "{bad}");
        }
    }
}
