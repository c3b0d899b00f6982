-- Whether the household agreed that the referrer hears how the referral goes (status only).
ALTER TABLE registrations ADD COLUMN feedback_consent BIGINT NOT NULL DEFAULT 0;
