"""Test values from peer projects' own test suites, with their origin: values only, no code.

Each suite's file is named with the repository and the commit read (``fetch`` of the repository,
2026-12-04). A value those suites call valid is expected to be found, one they call invalid
must not be; where cloudaudit deliberately differs (an address no person's device can have),
the row says why.
"""

from __future__ import annotations

from dataclasses import dataclass

from cloudaudit.model import PiiType

STDNUM = "arthurdejong/python-stdnum@006192e59be8ed6e08fd680256868a6c31eb2ba9"
PRESIDIO = "microsoft/presidio@0aa9f8e44275cb52c00fbbebe19168e934e1f076"
_PRESIDIO_TESTS = f"{PRESIDIO}: presidio-analyzer/tests/"


@dataclass(frozen=True)
class PeerCase:
    """One value, the suite it comes from, and what ``cloudaudit scan`` must report."""

    origin: str
    country: str
    value: str
    pii_type: PiiType
    found: bool
    as_text: bool = False  # scanned as a text file (a sentence) rather than a one-cell CSV column
    why: str = ""


# ---- python-stdnum: tests/test_au_abn.doctest, test_au_acn.doctest, test_au_tfn.doctest,
# test_th_pin.doctest (the "found online" lists, all valid for their own module).
STDNUM_ABN = (
    '11574456001', '12 123 552 732', '12197960056', '14 007 145 637', '14 085 537 097', '15 071 884 994',
    '16 050 539 350', '16 875 959 817', '16207643640', '17 088 952 023', '17 091 664 318', '17798019840',
    '18657363620', '18986035694', '19406270520', '20 080 574 616', '21 006 741 420', '211 082 588 59',
    '21276698420', '22752397988', '25 009 256 179', '25 078 164 020', '26 128 975 842', '27146513745',
    '29 176 219 543', '30194533815', '30319635949', '30753140115', '32510077067', '32967065962',
    '34180019054', '35 061 659 185', '35367869361', '36562063587', '38032136826', '38689369989',
    '42350020583', '42793074259', '43 002 724 334', '45138393975', '45686492545', '46 0 0 2722 3 49',
    '46 003 855 561', '46 003 855 561', '46065060376', '46080667721', '46241363405', '48110267900',
    '49046814670', '50 001 065 096', '50785233431', '51 824 753 556', '51120335948', '51424722884',
    '51974674048', '52 007 061 930', '54159269665', '55344832020', '55593511022', '57 064 001 270',
    '57356639841', '58437726834', '60431599619', '61173792360', '61483329243', '62128948118', '62361423248',
    '62826560160', '66 098 752 319', '66870124640', '68515519306', '69629520833', '73401973717',
    '73420076995', '74756347129', '74823923971', '75 091 431 202', '79772126259', '81 633 873 422',
    '83562801946', '84 002 705 224', '84598062158', '84696968277', '84771313085', '85 192 178 954',
    '85573270719', '86760778045', '87252821098', '88 775 098 848', '88278681363', '90 006 091 774',
    '90399103769', '91 010 334 915', '91044249923', '91957581192', '92 104 128 001', '93915085021',
    '96196152632', '97522448851', '98 116 306 453', '98977939326', '99870624871',
)
STDNUM_ACN = (
    '000 024 733', '001 002 731', '001 976 272', '002 724 334', '002 955 722', '003 855 561', '004 071 854',
    '004 235 063', '004 394 763', '005 957 004', '007 433 623', '050 539 350', '055 980 204', '082 930 916',
    '088 952 023', '093 966 888', '099503456', '104 045 089', '104 128 001', '112 045 002', '116 306 453',
    '125 295 712', '135 427 075', '141 800 357', '143477632', '000 000 019', '000 250 000', '000 500 005',
    '000 750 005', '001 000 004', '001 250 004', '001 500 009', '001 749 999', '001 999 999', '002 249 998',
    '002 499 998', '002 749 993', '002 999 993', '003 249 992', '003 499 992', '003 749 988', '003 999 988',
    '004 249 987', '004 499 987', '004 749 982', '004 999 982', '005 249 981', '005 499 981', '005 749 986',
    '005 999 977', '006 249 976', '006 499 976', '006 749 980', '006 999 980', '007 249 989', '007 499 989',
    '007 749 975', '007 999 975', '008 249 974', '008 499 974', '008 749 979', '008 999 979', '009 249 969',
    '009 499 969', '009 749 964', '009 999 964', '010 249 966', '010 499 966', '010 749 961',
)
STDNUM_TFN = (
    '112474082', '459599230', '565051603', '812 239 321', '865414088', '876 543 210', '907974668',
)
STDNUM_TH_PIN = (
    '1 1101 00152 64 1', '1 1996 00076 67 4', '1 6299 00299 92 5', '1 7399 00504 82 0', '1-1002-00439-84-4',
    '1100900359657', '1311100161266', '1350500075722', '1459900065632', '1670800079267',
    '2 3107 00002 24 7', '3   451  000  50     5414', '3  3415  01 082 5 68', '3  91 05 00  3    92 03 6',
    '3 5099 00736 90 7', '3 6710 00129 65 8', '3 7401 00523 48 8', '3-1001-00818-95-5', '3-1103-00283-26-5',
    '3-1898-00009-58-6', '3-3207-00476-55-7', '3-5207-00211-03-9', '3-6599-00381-54-7', '3-7005-00702-40-1',
    '3-9099-00588-10-6', '3100400648338', '3101900254691', '3102400746269', '33508 0030 2577',
    '3400100399577', '3540200423193', '3569900168313', '3600500113229', '3629900162691', '3709800221741',
    '3810100438722', '4 6205000  0482 7', '4-6607-00003-53-1', '4220100005137', '5 3013 00038 01 1',
    '5 5805 90000 01 9', '5100200233319', '5260399000878', '5671000003006', '5900599008311',
)

# ---- Presidio: test_au_tfn_recognizer.py, test_au_abn_recognizer.py, test_au_acn_recognizer.py
PRESIDIO_TFN = (("876 543 210", True), ("876543210", True), ("824 753 557", False), ("824753557", False),
                ("5282475355632", False), ("52824753556AF", False), ("51 824 753 5564", False),
                ("123 456\n789", False))
PRESIDIO_ABN = ("51 824 753 556", "51824753556", "52 824 753 556", "52824753556", "00000000560")
PRESIDIO_ACN = ("000 000 019", "005 499 981", "006249976", "000000180", "824 753 557", "824753557")

# ---- Presidio: test_th_tnin_recognizer.py (texts; True where the suite expects a match)
PRESIDIO_TNIN = (
    ("1234567890121", True), ("2345678901234", True), ("3456789012347", True), ("4567890123459", True),
    ("5678901234560", True), ("1220000000007", True), ("1520000000004", True), ("1580000000004", True),
    ("My Thai ID is 1234567890121", True), ("TNIN: 2345678901234", True),
    ("เลขประจำตัวประชาชน: 3456789012347", True), ("Thai National ID 1234567890121", True),
    ("เลขบัตรประชาชน 2345678901234", True),
    ("123456789012", False), ("12345678901234", False), ("123456789012a", False), ("0234567890124", False),
    ("0034567890124", False), ("1034567890124", False), ("1304567890124", False), ("1284567890124", False),
    ("1294567890124", False), ("1594567890124", False), ("1684567890124", False), ("1694567890124", False),
    ("1784567890124", False), ("1794567890124", False), ("1874567890124", False), ("1884567890124", False),
    ("1894567890124", False), ("1974567890124", False), ("1984567890124", False), ("1994567890124", False),
    ("1234567890123", False), ("2345678901235", False), ("3456789012346", False), ("0000000000000", False),
    ("1111111111111", False),
)
# stdnum's test_th_pin.doctest: invalid length, format and first digit.
STDNUM_TH_PIN_INVALID = ("1-2345-45678-78-11", "1-2345-45678-78-X", "0-2345-45678-78-1", "9-2345-45678-78-1")

# ---- Presidio: test_credit_card_recognizer.py
PRESIDIO_CARDS = (
    ("4012888888881881 4012-8888-8888-1881 4012 8888 8888 1881", True), ("1748503543012", False),
    ("122000000000003", True), ("my credit card: 122000000000003", True), ("371449635398431", True),
    ("5555555555554444", True), ("5019717010103742", True), ("30569309025904", True), ("6011000400000000", True),
    ("3528000700000000", True), ("6759649826438453", True), ("4111111111111111", True), ("4917300800000000", True),
    ("4484070000000000", True), ("4012-8888-8888-1882", False), ("my credit card number is 4012-8888-8888-1882", False),
    ("36168002586008", False), ("my credit card number is 36168002586008", False),
)

# ---- Presidio: test_email_recognizer.py
PRESIDIO_EMAIL = (
    ("info@presidio.site", True), ("my email address is info@presidio.site", True),
    ("try one of these emails: info@presidio.site or anotherinfo@presidio.site", True),
    ("user@xn--80ak6aa92e.com", True), ("a@xn--d1acufc.xn--p1ai", True),
    ("my email is user@xn--80ak6aa92e.com today", True), ("my email is info@presidio.", False),
    ("this is not an email: hello-world here", False),
)

# ---- Presidio: test_in_aadhaar_recognizer.py
PRESIDIO_AADHAAR = (
    ("123456789012", False), ("312345678909", True), ("399876543211", True), ("1234 5678 9012", False),
    ("3123 4567 8909", True), ("3998 7654 3211", True), ("1234-5678-9012", False), ("3123-4567-8909", True),
    ("3998-7654-3211", True), ("1234:5678:9012", False), ("3123:4567:8909", True), ("3998:7654:3211", True),
    ("My Aadhaar number is 400123456787 with a lot of text beyond it", True),
)

# ---- Presidio: test_ip_recognizer.py (every parametrized text; True where the suite expects a match)
PRESIDIO_IP = (
    ('microsoft.com 192.168.0.1', True),
    ('my ip: 192.168.0', False),
    ('microsoft.com 684D:1111:222:3333:4444:5555:6:77', True),
    ('my ip: 684D:1111:222:3333:4444:5555:6:77', True),
    ('684D:1111:222:3333:4444:5555:77', False),
    ('2345:0425:2CA1:0000:0000:0567:5673:23b5', True),
    ('2345:0425:2CA1::0567:5673:23b5', True),
    ('2400:c401::5054:ff:fe1b:b031', True),
    ('Use local ipv6 ::', True),
    ('my ip: ::1', True),
    ('connecting from ::1', True),
    ('src=:: dst=::1', True),
    ('2400:c401::5054:ff:fe1b:b031', True),
    ('fe80::1', True),
    ('2001:db8::8a2e:370:7334', True),
    ('2001:db8:85a3::8a2e:370', True),
    ('2001:db8::1', True),
    ('fe80::1%eth0', True),
    ('A099::09C0:876A:130B', True),
    ('Server IP: 2001:db8::1', True),
    ('Connect to [2001:db8::1]:8080', True),
    ('my ip is 2400:c401::5054:ff:fe1b:b031', True),
    ('Gateway: fe80::1 on interface', True),
    ('Visit http://[2001:db8::1]/path', True),
    ('SSH to user@2001:db8::1', True),
    ('::ffff:192.0.2.1', True),
    ('::ffff:10.0.0.1', True),
    ('::ffff:172.16.0.1', True),
    ('::ffff:127.0.0.1', True),
    ('::ffff:255.255.255.255', True),
    ('::ffff:0.0.0.0', True),
    ('::ffff:0:192.168.1.1', True),
    ('::ffff:0000:10.0.0.1', True),
    ('Mapped: ::ffff:192.168.1.1', True),
    ('Connect to ::ffff:10.0.0.1 now', True),
    ('[::ffff:192.168.1.1]:80', True),
    ('::192.168.1.1', True),
    ('::10.0.0.1', True),
    ('::ffff:256.0.0.1', False),
    ('::ffff:192.168.1', False),
    ('2001:db8::192.168.1.1', True),
    ('2001:db8:1::192.0.2.1', True),
    ('64:ff9b::192.0.2.1', True),
    ('2001:db8:85a3::8a2e:192.168.0.1', True),
    ('0:0:0:0:0:FFFF:129.144.52.38', True),
    ('2001:db8:0:0:0:0:192.168.1.1', True),
    ('NAT64: 64:ff9b::198.51.100.1', True),
    ('Tunnel to 2001:db8::10.0.0.1', True),
    ('2001:db8::256.1.1.1', False),
    ('IPv4: 192.168.1.1, IPv6: 2001:db8::1', True),
    ('Primary: 10.0.0.1, Secondary: 172.16.0.1', True),
    ('IPs: 192.168.1.1, 10.0.0.1, 2001:db8::1', True),
    ('MAC address aa:bb:cc:dd:ee:ff', False),
    ('Time 12:34:56', False),
    ('Ratio 1:2:3:4', False),
    ('CSS color #ff00aa', False),
    ('Version 1.2.3', False),
    ('Port 80:443', False),
    ('abc:def:ghi', False),
    ('123:abc', False),
    ('file:///path/to/file', False),
    ('std::cout', False),
    ('MyClass::toString', False),
    (':::', False),
    ('IP192.168.1.1text', False),
    ('text192.168.1.1', False),
    ('(192.168.1.1)', True),
    ("'2001:db8::1'", True),
    ('IP: 192.168.1.1.', True),
    ('192.168.1.1,', True),
    ('[2001:db8::1]', True),
    ('Server IP: 2400:c401::5054:ff:fe1b:b031.', True),
    ('2001:db8::1.', True),
    ('fe80::1text', False),
    ('text2001:db8::1', False),
    ('192.168.1.1.1', True),
    ('256.256.256.256', False),
    ('192.168.1.256', False),
    ('gggg:hhhh::1234', False),
    ('192.168.1', False),
    ('300.168.1.1', False),
    ('12345:db8::1', False),
    ('2001::db8::1', False),
    ('2001::25de::cade', False),
    ('192.168.2.1@eth0', True),
    ('text::ffff:192.0.2.1', True),
    ('foo2001:db8::10.0.0.1', True),
    ('localhost 127.0.0.1', True),
    ('Broadcast 255.255.255.255', True),
    ('Private 10.0.0.0', True),
    ('Link-local 169.254.1.1', True),
    ('Subnet 172.16.0.0', True),
    ('Default 0.0.0.0', True),
    ('Unspecified ::', True),
    ('Loopback ::1', True),
    ('Multicast ff02::1', True),
    ('192.168.1.0/24', True),
    ('10.0.0.0/8', True),
    ('0.0.0.0/0', True),
    ('192.168.1.1/32', True),
    ('2001:db8::/32', True),
    ('fe80::/10', True),
    ('::1/128', True),
    ('::/0', True),
    ('::/128', True),
    ('::ffff:192.168.1.0/96', True),
    ('64:ff9b::192.0.2.0/96', True),
    ('Subnet: 192.168.1.0/24', True),
    ('Prefix: 2001:db8::/32', True),
    ('Route is 10.0.0.0/8.', True),
    ('Use 2001:db8::/32.', True),
    ('10.0.0.0/123', True),
    ('2001:db8::/9999', True),
)

_NOT_A_HOST = "not an address a person's device can have (loopback, unspecified, link-local, multicast, broadcast)"
IP_DIFFERS = {  # the suite expects a match; cloudaudit reports none, on purpose
    "microsoft.com 684D:1111:222:3333:4444:5555:6:77": "6000::/3 is reserved IPv6 space",
    "my ip: 684D:1111:222:3333:4444:5555:6:77": "6000::/3 is reserved IPv6 space",
    "A099::09C0:876A:130B": "A000::/3 is reserved IPv6 space",
    "192.168.1.1.1": "five dotted numbers: an OID or a version, not an address",
    **{text: _NOT_A_HOST for text in (
        "Use local ipv6 ::", "my ip: ::1", "connecting from ::1", "src=:: dst=::1", "fe80::1", "fe80::1%eth0",
        "Gateway: fe80::1 on interface", "::ffff:127.0.0.1", "::ffff:255.255.255.255", "::ffff:0.0.0.0",
        "localhost 127.0.0.1", "Broadcast 255.255.255.255", "Link-local 169.254.1.1", "Default 0.0.0.0",
        "Unspecified ::", "Loopback ::1", "Multicast ff02::1", "0.0.0.0/0", "fe80::/10", "::1/128", "::/0",
        "::/128")},
}


def _cases() -> list[PeerCase]:
    national, card, email, ip = PiiType.NATIONAL_ID, PiiType.CREDIT_CARD, PiiType.EMAIL_ADDRESS, PiiType.IP_ADDRESS
    stdnum = f"{STDNUM}: tests/"
    cases = [PeerCase(f"{stdnum}test_au_tfn.doctest", "AU", v, national, True) for v in STDNUM_TFN]
    cases += [PeerCase(f"{stdnum}test_au_tfn.doctest", "AU", f"Employee TFN: {v}.", national, True, True)
              for v in STDNUM_TFN]
    # Company numbers are no TFN: alone (an ABN ends with the company's ACN), after their name, under it.
    cases += [PeerCase(f"{stdnum}test_au_abn.doctest", "AU", v, national, False, why="an ABN is not a TFN")
              for v in STDNUM_ABN]
    cases += [PeerCase(f"{stdnum}test_au_abn.doctest", "AU", f"TFN declaration received; ABN {v}.", national,
                       False, True, "the ABN is named nearer than the TFN") for v in STDNUM_ABN]
    cases += [PeerCase(f"{stdnum}test_au_acn.doctest", "AU", f"TFN declaration received; supplier ACN {v.strip()}.",
                       national, False, True, "the ACN is named nearer than the TFN") for v in STDNUM_ACN]
    cases += [PeerCase(f"{stdnum}test_th_pin.doctest", "TH", v, national, True) for v in STDNUM_TH_PIN]
    cases += [PeerCase(f"{stdnum}test_th_pin.doctest", "TH", f"เลขประจำตัวประชาชน {v}", national, True, True)
              for v in STDNUM_TH_PIN]
    cases += [PeerCase(f"{stdnum}test_th_pin.doctest", "TH", v, national, False) for v in STDNUM_TH_PIN_INVALID]
    tests = _PRESIDIO_TESTS
    cases += [PeerCase(f"{tests}test_au_tfn_recognizer.py", "AU", v, national, f) for v, f in PRESIDIO_TFN]
    cases += [PeerCase(f"{tests}test_au_abn_recognizer.py", "AU", v, national, False, why="an ABN is not a TFN")
              for v in PRESIDIO_ABN]
    cases += [PeerCase(f"{tests}test_au_acn_recognizer.py", "AU", f"Our TFN is on file. ACN {v}", national, False,
                       True, "the ACN is named nearer than the TFN") for v in PRESIDIO_ACN]
    cases += [PeerCase(f"{tests}test_th_tnin_recognizer.py", "TH", v, national, f, True) for v, f in PRESIDIO_TNIN]
    cases += [PeerCase(f"{tests}test_credit_card_recognizer.py", "SG", v, card, f, True) for v, f in PRESIDIO_CARDS]
    cases += [PeerCase(f"{tests}test_email_recognizer.py", "JP", v, email, f, True) for v, f in PRESIDIO_EMAIL]
    cases += [PeerCase(f"{tests}test_in_aadhaar_recognizer.py", "IN", v, national, f, True)
              for v, f in PRESIDIO_AADHAAR]
    cases += [PeerCase(f"{tests}test_ip_recognizer.py", "VN", v, ip, f and v not in IP_DIFFERS, True,
                       IP_DIFFERS.get(v, "")) for v, f in PRESIDIO_IP]
    return cases


CASES = _cases()
