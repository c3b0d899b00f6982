//! The central front door (centraal aanmeldpunt): how a question or worry arrives.

use crate::closed_set;

closed_set! {
    /// The route by which a registration arrived.
    Route {
        SelfReferral => "self", "De inwoner zelf";
        Network => "network", "Familie, buren of bekenden";
        Huisarts => "huisarts", "Huisarts";
        Jeugdarts => "jeugdarts", "Jeugdarts";
        MedischSpecialist => "medisch_specialist", "Medisch specialist";
        School => "school", "School";
        Jgz => "jgz", "Jeugdgezondheidszorg (JGZ)";
        VeiligThuis => "veilig_thuis", "Veilig Thuis";
        Politie => "politie", "Politie";
        Woningcorporatie => "woningcorporatie", "Woningcorporatie";
        Outreach => "outreach", "Eigen signaal van het team (outreachend)";
        Other => "other", "Anders";
    }
}

impl Route {
    /// Routes where an outside party referred, who gets feedback on the referral.
    pub fn has_external_referrer(self) -> bool {
        !matches!(self, Route::SelfReferral | Route::Outreach)
    }

    /// Formal referrers under the Jeugdwet (art. 2.6 lid 1 sub g).
    pub fn is_formal_jeugdwet_referrer(self) -> bool {
        matches!(
            self,
            Route::Huisarts | Route::Jeugdarts | Route::MedischSpecialist
        )
    }
}

closed_set! {
    /// How soon the team must act.
    Urgency {
        Normal => "normal", "Normaal";
        Soon => "soon", "Snel";
        Urgent => "urgent", "Spoed";
    }
}

/// The question in the resident's own words: 1–4000 characters.
pub fn parse_question(raw: &str) -> Result<String, crate::FieldError> {
    crate::field::required_text(raw, 4000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FieldError;

    #[test]
    fn every_route_key_round_trips() {
        for route in Route::ALL {
            assert_eq!(Route::parse(route.key()), Ok(*route));
        }
        assert!(matches!(
            Route::parse("brief"),
            Err(FieldError::Unknown { .. })
        ));
    }

    #[test]
    fn self_and_outreach_have_no_external_referrer() {
        assert!(!Route::SelfReferral.has_external_referrer());
        assert!(!Route::Outreach.has_external_referrer());
        assert!(Route::Huisarts.has_external_referrer());
        assert!(Route::Jeugdarts.is_formal_jeugdwet_referrer());
        assert!(!Route::School.is_formal_jeugdwet_referrer());
    }

    #[test]
    fn question_must_not_be_empty() {
        assert_eq!(parse_question("   "), Err(FieldError::Required));
        assert_eq!(parse_question(" Schulden "), Ok("Schulden".into()));
    }
}
