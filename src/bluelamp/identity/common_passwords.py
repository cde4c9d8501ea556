"""Common and breached passwords refused for new accounts (NCSC: use a deny-list). Compared folded:
lower case, letters and digits only, trailing digits removed. A force adds its own here."""

_WORDS = """
password passw0rd p4ssw0rd passwordpassword qwerty qwertyuiop qwertyuiopasdfghjkl asdfghjkl zxcvbnm
qwertyqwerty abc abcdef abcdefgh abcdefghijkl letmein letmeinnow welcome welcometo welcomehome
iloveyou iloveyouforever monkey dragon football baseball liverpool chelsea arsenal manchesterunited
princess sunshine shadow master superman batman trustno whatever starwars changeme changemenow
default administrator admin adminadmin root toor secret topsecret secretpassword mypassword
yourpassword newpassword passwordnew hello helloworld freedom computer internet summer winter
autumn spring january february december london england police policeofficer policepassword
constable sergeant bluelamp bluelampdemo bluelamppassword correcthorsebatterystaple ilovemydog
ilovemycat onetwothreefour pleaseletmein nopassword blankpassword guest guestguest test testtest
testing testpassword demo demopassword user username login loginpassword access accessgranted
qazwsx qazwsxedc qazwsxedcrfv zaq zaqxsw zaqwsx
"""
COMMON_PASSWORDS: frozenset[str] = frozenset(_WORDS.split())  # noqa: SIM905
