//! Who a party is: the identity documents a party's number may belong to,
//! the roles a party plays in a case, and the checks of a number against
//! its document's rules. A 居民身份证 number is checked by GB 11643-1999
//! (date of birth and the ISO 7064 MOD 11-2 check character); other
//! documents' numbers only by their alphabet and length, since their formats
//! vary by year of issue.

/// Identity documents: code, Chinese and English names.
pub const ID_TYPES: [(&str, &str, &str); 6] = [
    ("resident_id", "居民身份证", "Resident identity card"),
    ("passport", "护照", "Passport"),
    (
        "hk_macao_permit",
        "港澳居民来往内地通行证",
        "Mainland travel permit (HK/Macao)",
    ),
    (
        "taiwan_permit",
        "台湾居民来往大陆通行证",
        "Mainland travel permit (Taiwan)",
    ),
    (
        "foreign_permanent",
        "外国人永久居留身份证",
        "Foreigner's permanent residence card",
    ),
    ("other", "其他证件", "Other document"),
];

/// Roles a party plays: code, Chinese and English names.
pub const PARTY_ROLES: [(&str, &str, &str); 5] = [
    ("applicant", "申请人", "Applicant"),
    ("respondent", "被申请人", "Respondent"),
    ("party", "当事人", "Party"),
    ("reporter", "反映人", "Reporter"),
    // The person an anti-fraud warning is about: the one to call.
    ("warned", "预警对象", "Person at risk"),
];

/// Why a party's document or number is not acceptable, if it is not.
pub fn check_id(id_type: &str, number: &str) -> Result<(), String> {
    if !ID_TYPES.iter().any(|(c, _, _)| *c == id_type) {
        let known: Vec<&str> = ID_TYPES.iter().map(|x| x.0).collect();
        return Err(format!("ID type {id_type:?}: one of {}", known.join(", ")));
    }
    if id_type == "resident_id" {
        return check_resident_id(number);
    }
    let ok =
        (4..=30).contains(&number.chars().count()) && number.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(format!("ID number {number:?}: 4 to 30 letters, digits or hyphens"))
    }
}

/// A resident identity card number (GB 11643-1999): 17 digits, a valid
/// date of birth at digits 7–14, and the check character.
pub fn check_resident_id(number: &str) -> Result<(), String> {
    let b = number.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return Err(format!(
            "ID number {number:?}: a resident ID has 18 characters, the first 17 digits"
        ));
    }
    let birth = std::str::from_utf8(&b[6..14]).unwrap_or("");
    if chrono::NaiveDate::parse_from_str(birth, "%Y%m%d").is_err() {
        return Err(format!("ID number {number:?}: {birth} is not a date of birth"));
    }
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = b[..17].iter().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    let expected = b"10X98765432"[(sum % 11) as usize];
    if b[17].to_ascii_uppercase() == expected {
        Ok(())
    } else {
        Err(format!(
            "ID number {number:?}: the check character should be {} (a digit was mistyped?)",
            expected as char
        ))
    }
}

/// Why a phone number is not acceptable, if it is not: digits with an
/// optional leading + and hyphens or spaces between, 5 to 20 digits.
pub fn check_phone(phone: &str) -> Result<(), String> {
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let shape = phone
        .char_indices()
        .all(|(i, c)| c.is_ascii_digit() || c == '-' || c == ' ' || (i == 0 && c == '+'));
    if shape && (5..=20).contains(&digits) {
        Ok(())
    } else {
        Err(format!(
            "phone {phone:?}: 5 to 20 digits (a leading +, hyphens and spaces allowed)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standards_example_number_passes_and_one_changed_digit_fails() {
        // GB 11643-1999's own example.
        assert!(check_resident_id("11010519491231002X").is_ok());
        assert!(check_resident_id("11010519491231002x").is_ok());
        let err = check_resident_id("11010519491231003X").unwrap_err();
        assert!(err.contains("check character"), "{err}");
    }

    #[test]
    fn a_resident_id_needs_a_real_birth_date_and_its_length() {
        assert!(
            check_resident_id("110105194902300021")
                .unwrap_err()
                .contains("date of birth")
        );
        assert!(check_resident_id("1101051949123100").is_err());
        assert!(check_resident_id("11010519491231002Y").is_err());
    }

    #[test]
    fn other_documents_are_checked_by_alphabet_and_length() {
        assert!(check_id("passport", "E12345678").is_ok());
        assert!(check_id("passport", "E1 2345").is_err());
        assert!(check_id("driving_licence", "E12345678").unwrap_err().contains("one of"));
    }

    #[test]
    fn phones_take_mobile_landline_and_international_forms() {
        for ok in ["13912341340", "0571-87654321", "+86 139 1234 1340"] {
            assert!(check_phone(ok).is_ok(), "{ok}");
        }
        for bad in ["12", "139abc", "1+39123"] {
            assert!(check_phone(bad).is_err(), "{bad}");
        }
    }
}
