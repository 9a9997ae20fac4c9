//! The settings that are a choice among names (session mode, balancing, traffic pattern, store
//! kind) go by one name each everywhere: in JSON scenarios, in URLs and share links, in the
//! page's menus and in host messages.

use crate::balancer::LbAlgorithm;
use crate::config::Mode;
use crate::store::StoreKind;
use crate::traffic::Pattern;

/// A choice with a stable name, the one serde writes, and a stable place in [`Keyed::CHOICES`],
/// which share links number it by.
pub trait Keyed: Copy + PartialEq + 'static {
    /// Every choice, in link order: append only.
    const CHOICES: &'static [Self];

    /// Its name in JSON, URLs and menus.
    fn key(self) -> &'static str;

    /// The choice called `key`, if there is one.
    fn from_key(key: &str) -> Option<Self> {
        Self::CHOICES.iter().copied().find(|c| c.key() == key)
    }

    /// Its place in [`Keyed::CHOICES`], which share links write.
    fn index(self) -> usize {
        Self::CHOICES.iter().position(|c| *c == self).unwrap_or_default()
    }
}

impl Keyed for Mode {
    const CHOICES: &'static [Self] = &[Mode::Stateful, Mode::Stateless];

    fn key(self) -> &'static str {
        match self {
            Mode::Stateful => "stateful",
            Mode::Stateless => "stateless",
        }
    }
}

impl Keyed for LbAlgorithm {
    const CHOICES: &'static [Self] = &LbAlgorithm::ALL;

    fn key(self) -> &'static str {
        match self {
            LbAlgorithm::RoundRobin => "round_robin",
            LbAlgorithm::LeastConnections => "least_connections",
            LbAlgorithm::Random => "random",
            LbAlgorithm::Sticky => "sticky",
        }
    }
}

impl Keyed for Pattern {
    const CHOICES: &'static [Self] = &Pattern::ALL;

    fn key(self) -> &'static str {
        match self {
            Pattern::Steady => "steady",
            Pattern::Spike => "spike",
            Pattern::Ramp => "ramp",
            Pattern::Diurnal => "diurnal",
            Pattern::Quiet => "quiet",
        }
    }
}

impl Keyed for StoreKind {
    const CHOICES: &'static [Self] = &StoreKind::ALL;

    fn key(self) -> &'static str {
        match self {
            StoreKind::Redis => "redis",
            StoreKind::Memcached => "memcached",
            StoreKind::Sql => "sql",
            StoreKind::Nosql => "nosql",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    fn names_agree_with_serde<T: Keyed + Serialize + std::fmt::Debug>() {
        for (i, c) in T::CHOICES.iter().enumerate() {
            assert_eq!(serde_json::to_string(c).unwrap(), format!("\"{}\"", c.key()));
            assert_eq!(T::from_key(c.key()), Some(*c));
            assert_eq!(c.index(), i);
        }
        assert_eq!(T::from_key("nonsense"), None);
    }

    #[test]
    fn every_name_is_the_one_json_uses() {
        names_agree_with_serde::<Mode>();
        names_agree_with_serde::<LbAlgorithm>();
        names_agree_with_serde::<Pattern>();
        names_agree_with_serde::<StoreKind>();
    }
}
