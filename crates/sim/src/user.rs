//! Browsers and the state the article is about: who the user is, whether they are
//! authenticated, their cart and their preferences.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::event::LogoutReason;

/// A browser, numbered from 0; shown as "User A", "User B", … "User AA".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "bake", derive(databake::Bake), databake(path = statelab_sim::user))]
pub struct UserId(pub u32);

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Bijective base-26, like spreadsheet columns: A..Z, AA..ZZ, AAA..
        let mut n = self.0 as u64 + 1;
        let mut letters = [0u8; 8];
        let mut len = 0;
        while n > 0 {
            n -= 1;
            letters[len] = b'A' + (n % 26) as u8;
            len += 1;
            n /= 26;
        }
        letters[..len].reverse();
        write!(f, "User {}", std::str::from_utf8(&letters[..len]).unwrap_or("?"))
    }
}

/// Where in the world a browser sits; each region has its own CDN edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Region {
    Europe,
    Americas,
    Asia,
}

impl Region {
    /// Users are spread over these at random at start; each region has its own CDN edge.
    pub const ALL: [Region; 3] = [Region::Europe, Region::Americas, Region::Asia];

    /// The region's slot in per-region tables, such as the CDN's edges.
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Region::Europe => "Europe",
            Region::Americas => "Americas",
            Region::Asia => "Asia",
        })
    }
}

/// A user's life cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UserState {
    /// Never logged in yet.
    Anonymous,
    /// A login request is on its way.
    LoggingIn,
    LoggedIn,
    /// Lost their session; they log in again at `relogin_at_us`.
    LoggedOut {
        reason: LogoutReason,
        relogin_at_us: u64,
    },
}

/// Display preferences kept in the session; a new session starts with the light theme and
/// the first currency.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Preferences {
    pub dark_theme: bool,
    /// Index into [`CURRENCIES`].
    pub currency: u8,
}

/// Currencies a user can pick as a preference.
pub const CURRENCIES: [&str; 3] = ["EUR", "USD", "JPY"];

impl Preferences {
    /// The currency's code, for the session inspector.
    pub fn currency_code(&self) -> &'static str {
        CURRENCIES[usize::from(self.currency) % CURRENCIES.len()]
    }
}

/// Most items a cart keeps; older ones drop off.
pub const CART_LIMIT: usize = 20;

/// The session: exactly what a server must remember about a user between requests.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Session {
    /// Whose it is: a server that finds another user's session must not serve with it.
    pub user: UserId,
    /// Product ids, oldest first.
    pub cart: Vec<u32>,
    /// Settings the user changed, lost with the session like the cart.
    pub prefs: Preferences,
}

impl Session {
    /// What a login opens: an empty cart and the default preferences.
    pub fn new(user: UserId) -> Self {
        Self { user, cart: Vec::new(), prefs: Preferences::default() }
    }
}

/// Where a user's session currently lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SessionHome {
    None,
    /// In this server's memory (stateful).
    Server(crate::server::ServerId),
    /// In the shared store (stateless).
    Store,
}

/// A browser with its session.
#[derive(Clone, Debug)]
pub struct User {
    pub id: UserId,
    /// Fixed for the run; decides which CDN edge serves the user's static files.
    pub region: Region,
    pub state: UserState,
    /// The session's contents; `None` until the first login.
    pub session: Option<Session>,
    /// Where the session lives now; in stateful mode, the server whose crash would log them out.
    pub home: SessionHome,
    /// Why they were last logged out, if ever.
    pub last_logout: Option<LogoutReason>,
    /// When this browser's cached DNS answer expires [µs].
    pub dns_expires_us: u64,
    /// Set by a misroute command: the next request goes to a server other than the usual one.
    pub misroute_next: bool,
}

impl User {
    pub(crate) fn new(id: UserId, region: Region) -> Self {
        Self {
            id,
            region,
            state: UserState::Anonymous,
            session: None,
            home: SessionHome::None,
            last_logout: None,
            dns_expires_us: 0,
            misroute_next: false,
        }
    }

    /// Holding a session now; a login under way counts only once answered.
    pub fn is_logged_in(&self) -> bool {
        matches!(self.state, UserState::LoggedIn)
    }

    /// Lost a session and has no new one yet, a login under way included, so the users logged
    /// in and out add up with those who never logged in; a user who never did is not logged out.
    pub fn is_logged_out(&self) -> bool {
        match self.state {
            UserState::LoggedOut { .. } => true,
            UserState::LoggingIn => self.last_logout.is_some(),
            UserState::Anonymous | UserState::LoggedIn => false,
        }
    }

    /// Items in the cart, 0 without a session: a lost session empties it, which the strip shows.
    pub fn cart_len(&self) -> usize {
        self.session.as_ref().map_or(0, |s| s.cart.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_run_like_spreadsheet_columns() {
        assert_eq!(UserId(0).to_string(), "User A");
        assert_eq!(UserId(25).to_string(), "User Z");
        assert_eq!(UserId(26).to_string(), "User AA");
        assert_eq!(UserId(9_999).to_string(), "User NTP");
    }
}
