// The texts a client reads when a login does not go through, from asimapd or, through nginx,
// from asimapd-auth: the same words either way.
export const AUTH_FAILED = "Authentication failed.";
export const MAIL_UNAVAILABLE = "Your mail is not available right now; try again later.";
