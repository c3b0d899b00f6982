//! The trajectory: one open course of support per household, with its status and team.

use crate::closed_set;

closed_set! {
    /// Where the household's trajectory stands.
    TrajectoryStatus {
        Registered => "registered", "Aangemeld";
        Exploring => "exploring", "Verkennen (brede uitvraag)";
        Plan => "plan", "Plan maken";
        Support => "support", "Ondersteuning";
        Waakvlam => "waakvlam", "Waakvlamcontact";
        Closed => "closed", "Afgesloten";
    }
}

impl TrajectoryStatus {
    /// The allowed next statuses. Forward one step at a time; back from support to plan
    /// (the plan is reconsidered) and from waakvlam to support (things escalate again);
    /// closing is possible from every open status; a closed trajectory stays closed
    /// (a new registration opens a new one).
    /// Where the trajectory goes once the household agreed to its plan: support starts, from
    /// whichever earlier phase it was in. `None`: it is past that already.
    pub fn after_plan_agreed(self) -> Option<TrajectoryStatus> {
        use TrajectoryStatus::*;
        matches!(self, Registered | Exploring | Plan).then_some(Support)
    }

    pub fn can_move_to(self, next: TrajectoryStatus) -> bool {
        use TrajectoryStatus::*;
        matches!(
            (self, next),
            (Registered, Exploring)
                | (Exploring, Plan)
                | (Plan, Support)
                | (Support, Waakvlam)
                | (Support, Plan)
                | (Waakvlam, Support)
                | (Registered | Exploring | Plan | Support | Waakvlam, Closed)
        )
    }

    pub fn is_open(self) -> bool {
        self != TrajectoryStatus::Closed
    }
}

closed_set! {
    /// Why a trajectory was closed. The referrer's feedback ("closed with or without
    /// follow-up") follows from it.
    CloseReason {
        GoalsReached => "goals_reached", "Doelen bereikt";
        ReferredOn => "referred_on", "Doorverwezen, met vervolg";
        MovedAway => "moved_away", "Verhuisd uit de regio";
        ResidentEnded => "resident_ended", "Inwoner heeft het beëindigd";
        NoContact => "no_contact", "Geen contact mogelijk";
        Deceased => "deceased", "Overleden";
    }
}

impl CloseReason {
    /// Whether support goes on elsewhere after closing.
    pub fn with_follow_up(self) -> bool {
        self == CloseReason::ReferredOn
    }
}

closed_set! {
    /// The role a professional has in a household's team.
    TeamRole {
        Regisseur => "regisseur", "Regisseur (vast aanspreekpunt)";
        WmoConsulent => "wmo_consulent", "Wmo-consulent";
        JeugdConsulent => "jeugd_consulent", "Jeugdconsulent";
        ParticipatieConsulent => "participatie_consulent", "Participatieconsulent";
        Schuldhulpverlener => "schuldhulpverlener", "Schuldhulpverlener";
        Welzijnscoach => "welzijnscoach", "Welzijnscoach";
        SociaalWerker => "sociaal_werker", "Sociaal werker";
        PohJeugd => "poh_jeugd", "POH-jeugd";
        ProcesregisseurZorgEnVeiligheid => "procesregisseur_zv", "Procesregisseur zorg en veiligheid";
        Gedragsdeskundige => "gedragsdeskundige", "Gedragsdeskundige";
        Member => "member", "Teamlid";
    }
}

#[cfg(test)]
mod tests {
    use super::TrajectoryStatus::*;
    use super::*;

    #[test]
    fn status_transitions_follow_the_cycle() {
        let cases = [
            (Registered, Exploring, true),
            (Exploring, Plan, true),
            (Plan, Support, true),
            (Support, Waakvlam, true),
            (Support, Plan, true),
            (Waakvlam, Support, true),
            (Waakvlam, Closed, true),
            (Registered, Closed, true),
            (Registered, Support, false),
            (Exploring, Registered, false),
            (Closed, Registered, false),
            (Closed, Exploring, false),
            (Plan, Plan, false),
        ];
        for (from, to, allowed) in cases {
            assert_eq!(from.can_move_to(to), allowed, "{from} -> {to}");
        }
    }

    #[test]
    fn only_closed_is_not_open() {
        assert_eq!(
            TrajectoryStatus::ALL
                .iter()
                .filter(|s| !s.is_open())
                .count(),
            1
        );
    }

    #[test]
    fn agreeing_the_plan_starts_support_once() {
        use TrajectoryStatus::*;
        for (from, to) in [
            (Registered, Some(Support)),
            (Exploring, Some(Support)),
            (Plan, Some(Support)),
            (Support, None),
            (Waakvlam, None),
            (Closed, None),
        ] {
            assert_eq!(from.after_plan_agreed(), to, "{from}");
        }
    }
}
