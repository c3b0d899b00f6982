//! What may leave a team: small cells are withheld from every aggregate, so that no figure
//! points at a person or household.

/// The threshold when the policy names none.
pub const DEFAULT_THRESHOLD: i64 = 5;
/// A policy may not set a lower threshold than this.
pub const MIN_THRESHOLD: i64 = 3;

/// A count as it may be shown: withheld (`None`) when it counts fewer than `threshold` cases
/// but more than none (an empty cell says nothing about anyone).
pub fn shown(count: i64, threshold: i64) -> Option<i64> {
    (count == 0 || count >= threshold).then_some(count)
}

/// A figure about `cases` cases (minutes over contacts, say): shown only when the cases are.
pub fn shown_with(value: i64, cases: i64, threshold: i64) -> Option<i64> {
    shown(cases, threshold).map(|_| value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_under_the_threshold_are_withheld_and_empty_ones_shown() {
        assert_eq!(shown(0, 5), Some(0));
        assert_eq!(shown(1, 5), None);
        assert_eq!(shown(4, 5), None);
        assert_eq!(shown(5, 5), Some(5));
        assert_eq!(shown_with(300, 4, 5), None);
        assert_eq!(shown_with(300, 6, 5), Some(300));
    }
}
