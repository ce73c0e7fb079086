// SPDX-License-Identifier: Apache-2.0
// Case folding and the text tests built on it (compiler/source/text.h, runtime/builtins):
// Unicode simple case folding, with an ASCII fast path that must agree with it.
#include <catch2/catch.hpp>

#include <functional>
#include <unordered_set>

#include "compiler/source/text.h"
#include "runtime/builtins/builtins.h"

using namespace rubric;

TEST_CASE("fold_char is Unicode simple case folding", "[builtins]") {
  CHECK(text::fold_char(U'A') == U'a');
  CHECK(text::fold_char(U'Ł') == U'ł');
  CHECK(text::fold_char(U'Д') == U'д');
  CHECK(text::fold_char(U'Ё') == U'ё');
  CHECK(text::fold_char(U'Ǆ') == U'ǆ');  // Croatian digraphs: upper, title and lower case
  CHECK(text::fold_char(U'ǅ') == U'ǆ');
  CHECK(text::fold_char(U'Σ') == U'σ');
  CHECK(text::fold_char(U'ς') == U'σ');  // final sigma (status C)
  CHECK(text::fold_char(0x212A) == U'k');  // Kelvin sign
  CHECK(text::fold_char(0x17F) == U's');   // long s
  CHECK(text::fold_char(0x1E9E) == U'ß');  // capital sharp s: simple folding (status S)
  CHECK(text::fold_char(U'ß') == U'ß');    // only a full folding (to "ss"): kept
  CHECK(text::fold_char(0x130) == 0x130);  // İ: only full and Turkic foldings: kept
  CHECK(text::fold_char(U'ı') == U'ı');
  CHECK(text::fold_char(U'7') == U'7');
}

TEST_CASE("texts are equal ignoring case when their simple foldings are", "[builtins]") {
  CHECK(text::iequals("Łódź", "ŁÓDŹ"));
  CHECK(text::iequals("Генеральный Директор", "генеральный директор"));
  CHECK(text::iequals("MYYNTIPÄÄLLIKKÖ", "myyntipäällikkö"));
  CHECK(text::iequals("ŘEDITEL", "ředitel"));
  CHECK(text::iequals("\xE2\x84\xAA" "m", "km"));  // Kelvin sign (3 bytes) and k (1 byte)
  CHECK_FALSE(text::iequals("Straße", "STRASSE"));
  CHECK_FALSE(text::iequals("é", "e"));
  CHECK(text::iequals("Acme", "aCME"));
  CHECK_FALSE(text::iequals("Acme", "Acm"));
  CHECK(text::fold_case("ŁÓDŹ Kraków") == "łódź kraków");
  CHECK(text::fold_case("caf\xE9!") == "caf\xE9!");  // invalid UTF-8 bytes are kept
  CHECK(text::to_lower("ŁÓDŹ") == "łódź");
  CHECK(text::to_upper("łódź straße") == "ŁÓDŹ STRAẞE");  // one letter for one: ß → ẞ, never SS
  CHECK(text::to_lower("ẞ") == "ß");
}

TEST_CASE("contains, starts with and ends with ignore case beyond ASCII", "[builtins]") {
  CHECK(builtins::contains_icase("Генеральный Директор", "директор"));
  CHECK(builtins::contains_icase("Generalny DYREKTOR ds. sprzedaży", "Dyrektor"));
  CHECK(builtins::contains_icase("ŁÓDŹ", "łódź"));
  CHECK_FALSE(builtins::contains_icase("Łodz", "łódź"));
  CHECK(builtins::starts_with_icase("ČEŠTINA", "češ"));
  CHECK(builtins::ends_with_icase("myyntipäällikkö", "PÄÄLLIKKÖ"));
  CHECK(builtins::contains_icase("ſtudent", "STUDENT"));  // long s folds to s
  std::string long_needle(100, 'ä');
  CHECK(builtins::contains_icase("x" + std::string(200, 'a') + text::to_upper(long_needle) + "y", long_needle));
  CHECK_FALSE(builtins::contains_icase(std::string(300, 'a'), long_needle));
}

TEST_CASE("contains ignoring case agrees with a plain search at every length and position", "[builtins]") {
  // The fast path looks at sixteen positions at a time by the needle's first and last letters;
  // a seeded sweep over short alphabets (many near misses) checks it against folding both
  // texts and searching.
  uint64_t state = 12345;
  auto next = [&] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<uint32_t>(state >> 33);
  };
  const std::string letters = "aAbB/-";
  for (int round = 0; round < 20000; ++round) {
    std::string hay, needle;
    size_t hn = next() % 70, nn = 1 + next() % 6;
    for (size_t i = 0; i < hn; ++i) hay += letters[next() % letters.size()];
    for (size_t i = 0; i < nn; ++i) needle += letters[next() % letters.size()];
    if (round % 7 == 0 && hn > 0) hay[next() % hn] = static_cast<char>(0xC3);  // a byte beyond ASCII: the slow path
    bool expect = text::fold_case(hay).find(text::fold_case(needle)) != std::string::npos;
    INFO("hay " << hay << ", needle " << needle);
    REQUIRE(builtins::contains_icase(hay, needle) == expect);
    // Compiled code's form for a literal needle (ASCII, folded, checked when compiled).
    REQUIRE(builtins::contains_folded_ascii(hay, text::fold_case(needle)) == expect);
  }
}

TEST_CASE("a page glob is taken apart into the text test it is, once", "[builtins]") {
  using text::GlobShape;
  auto shape = [](std::string_view g) { return text::glob_parts(g); };
  CHECK(shape("*/pricing*").shape == GlobShape::Contains);
  CHECK(shape("*/pricing*").text == "/pricing");
  CHECK(shape("/docs/*").shape == GlobShape::Prefix);
  CHECK(shape("/docs/*").text == "/docs/");
  CHECK(shape("*.pdf").shape == GlobShape::Suffix);
  CHECK(shape("*.pdf").text == ".pdf");
  CHECK(shape("*").shape == GlobShape::Suffix);  // ends with "": every page
  CHECK(shape("**").shape == GlobShape::Contains);
  CHECK(shape("**").text.empty());
  CHECK(shape("/exact").shape == GlobShape::Other);
  CHECK(shape("/a*b*c").shape == GlobShape::Other);
  CHECK(shape("*a*b*").shape == GlobShape::Other);
  CHECK(shape("").shape == GlobShape::Other);
  // Each shape matches what a plain recursive glob matches, ignoring case or as written.
  std::function<bool(std::string_view, std::string_view)> naive = [&](std::string_view g, std::string_view t) {
    if (g.empty()) return t.empty();
    if (g[0] == '*') return naive(g.substr(1), t) || (!t.empty() && naive(g, t.substr(1)));
    return !t.empty() && g[0] == t[0] && naive(g.substr(1), t.substr(1));
  };
  const char* globs[] = {"*/pricing*", "/docs/*", "*.pdf", "*", "**", "/exact", "/a*b*c", "*a*b*", "", "*/ceník*"};
  const char* pages[] = {"https://x.io/PRICING/team", "/docs/api", "/Docs/api", "/w/ROI.PDF", "", "/exact", "/EXACT",
                         "/aXbYc", "xaybz", "/ceník", "/CENÍK/x"};
  for (const char* g : globs)
    for (const char* p : pages) {
      INFO("glob " << g << ", page " << p);
      std::string folded = text::fold_case(g);
      CHECK(builtins::glob_match(text::glob_parts(folded), p, false) == naive(folded, text::fold_case(p)));
      CHECK(builtins::glob_match(text::glob_parts(g), p, true) == naive(g, p));
    }
}

TEST_CASE("page globs and text sets use the folding of the checked model", "[builtins]") {
  CHECK(builtins::glob_match(text::fold_case("*/CENÍK*"), "https://firma.cz/ceník?x=1"));
  CHECK(builtins::glob_match(text::fold_case("*/zákazník/*/nabídka"), "https://firma.cz/ZÁKAZNÍK/x/NABÍDKA"));
  CHECK_FALSE(builtins::glob_match(text::fold_case("*/ceník*"), "https://firma.cz/cenik"));
  std::unordered_set<std::string> set{text::fold_case("Łódź"), text::fold_case("Kraków")};
  CHECK(builtins::in_lower_set(set, "ŁÓDŹ"));
  CHECK(builtins::in_lower_set(set, "KRAKÓW"));
  CHECK_FALSE(builtins::in_lower_set(set, "Krakow"));
  CHECK(builtins::email_domain("Ana@ŁÓDŹ.PL") == "łódź.pl");
}
