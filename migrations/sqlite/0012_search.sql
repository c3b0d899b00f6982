-- Search: the folded terms a person (names) or a household (street, city) is found by.
-- Terms are written by the application with every insert or change of a name or address
-- (spil_domain::search decides what they are); a prefix is a range on the primary key.
CREATE TABLE person_terms (
    term TEXT NOT NULL,
    person_id TEXT NOT NULL REFERENCES persons(id),
    PRIMARY KEY (term, person_id)
);
CREATE INDEX person_terms_person ON person_terms(person_id);

CREATE TABLE household_terms (
    term TEXT NOT NULL,
    household_id TEXT NOT NULL REFERENCES households(id),
    PRIMARY KEY (term, household_id)
);
CREATE INDEX household_terms_household ON household_terms(household_id);

CREATE INDEX households_postcode ON households(postcode, house_number);
CREATE INDEX persons_birth_date ON persons(birth_date);
