// SPDX-License-Identifier: Apache-2.0
// Rubric.g4 - the grammar of `.rubric` scoring models.
// One declaration or rule per line; blank lines and comments (`//` or `#`) are free.
// Every alternative is labelled and every element named, so compiler/parse/parse.cc (the only
// file that sees ANTLR) gets a typed context for each construct.
grammar Rubric;

file : NL* (decls+=decl (NL+ decls+=decl)*)? NL* EOF ;

decl
  : MODEL name=STRING                                                    # ModelSection
  | MISSING VALUES ':'? values+=STRING (',' values+=STRING)*            # MissingSection
  | DECIMAL_COMMA                                                        # DecimalCommaSection
  | head=leadHead (NL+ fields+=fieldDecl)*                               # LeadSection
  | head=eventHead (NL+ fields+=fieldDecl)*                              # EventSection
  | PAGES name=IDENT ':' patterns+=STRING (',' NL* patterns+=STRING)* exact=MATCHING_CASE?  # PagesSection
  | CONST name=IDENT '=' (val=value | set=setLiteral)                    # ConstSection
  | DEFINE name=IDENT ':' body=condition                                 # DefineSection
  | BEHAVIOUR words+=IDENT+ ('<' param=IDENT '>')? ':' body=condition    # BehaviourSection
  | head=scoreHead (NL+ rules+=ruleDecl)*                                # ScoreSection
  | TOTAL '=' val=value                                                  # TotalSection
  | head=tiersHead (NL+ tiers+=tierDecl)*                                # TiersSection
  | head=disqualifyHead (NL+ reasons+=disqualifyDecl)*                   # DisqualifySection
  | head=testHead (NL+ items+=testItem)*                                 # TestSection
  ;

// The first line of a section with items is a rule of its own, so that a mistake in it is
// recovered from at the end of that line and the section's items are still parsed and checked.
leadHead : LEAD ':' ;
eventHead : EVENT ':' ;
scoreHead : SCORE name=IDENT (',' options+=scoreOption)* ':' ;
tiersHead : TIERS name=IDENT ':' ;
disqualifyHead : DISQUALIFY ':' ;
testHead : TEST name=STRING ':' ;

// A test case beside the rules: a lead given field by field, its events so long before the
// test's as-of time, and what scoring it must give.
//   test "a VP at a software company is hot":
//     as of "2026-11-01"
//     given job_title = "VP Sales", employees = 1200
//     given event kind = page_view, page = "/pricing", 2 days ago
//     expect fit = 45
//     expect temperature is hot
//     expect fired "decision maker"
testItem
  : AS_OF when=STRING                                                        # AsOfItem
  | GIVEN EVENT fields+=assignment (',' fields+=assignment)* ',' ago=NUMBER unit=IDENT AGO   # GivenEventItem
  | GIVEN fields+=assignment (',' fields+=assignment)*                       # GivenLeadItem
  | EXPECT TOTAL '=' val=testValue                                           # ExpectTotalItem
  | EXPECT neg=NOT? what=IDENT (op=('=' | IS) val=testValue | label=STRING)?  # ExpectItem
  ;

assignment : name=IDENT '=' val=testValue ;

testValue
  : signedNumber                                    # NumberTestValue
  | STRING                                          # StringTestValue
  | IDENT                                           # NameTestValue
  | lit=(TRUE | FALSE)                              # BoolTestValue
  ;

// employees: optional int from "Employees" missing "n/a"
fieldDecl : name=IDENT ':' opt=OPTIONAL? type=typeSpec options+=fieldOption* ;

typeSpec
  : ENUM '{' NL* values+=enumValue (',' NL* values+=enumValue)* ','? NL* '}'   # EnumType
  | name=IDENT (IN unit=IDENT)?                                                # NamedType
  ;

// student "Student" | other otherwise
enumValue : name=IDENT (raw=STRING | fallback=OTHERWISE)? ;

fieldOption
  : FROM column=STRING                                  # FromOption
  | MISSING values+=STRING (',' values+=STRING)*        # MissingOption
  | KEY                                                 # KeyOption
  | DECIMAL_COMMA                                       # DecimalCommaOption
  ;

scoreOption
  : AT_MOST bound=signedNumber                          # CeilingOption
  | AT_LEAST bound=signedNumber                         # FloorOption
  | DECAY HALF_LIFE span=value                          # HalfLifeOption
  | DECAY percent=NUMBER '%' EVERY span=value           # LinearDecayOption
  ;

// visited pricing within 7 days: +15 "pricing this week"
ruleDecl : cond=condition ':' pts=points label=STRING? ;

points : sign=('+' | '-') amount=NUMBER each=EACH? (',' AT_MOST cap=NUMBER)? ;

tierDecl : name=IDENT ':' (fallback=OTHERWISE | cond=condition) ;

disqualifyDecl : cond=condition ':' reason=STRING ;

signedNumber : neg='-'? NUMBER ;

// and binds tighter than or; not binds tightest.
condition
  : NOT operand=condition                                # NotCond
  | lhs=condition AND NL* rhs=condition                  # AndCond
  | lhs=condition OR NL* rhs=condition                   # OrCond
  | predicate                                            # PredCond
  ;

predicate
  : '(' inner=condition ')'                                                   # ParenCond
  | lhs=value op=('=' | '==' | '!=' | '<' | '<=' | '>' | '>=') rhs=value      # CompareCond
  | lhs=value IS neg=NOT? (MISSING | present=PRESENT)                         # PresenceCond
  | lhs=value IS neg=NOT? rhs=value                                           # IsCond
  | lhs=value neg=NOT? IN set=setExpr                                         # InCond
  | lhs=value neg=NOT? BETWEEN lo=value AND hi=value                          # BetweenCond
  | lhs=value op=(CONTAINS | STARTS_WITH | ENDS_WITH) rhs=value casing=(IGNORING_CASE | MATCHING_CASE)?  # TextCond
  | lhs=value MATCHES pattern=STRING icase=IGNORING_CASE?                     # MatchCond
  | NEVER act=activity                                                        # NeverCond
  | call=callValue                                                            # CallCond
  | act=activity                                                              # ActivityCond
  ;

// A phrase names a field, a predicate, a constant or a behaviour (`visited pricing`); the checker
// decides which. `where` filters events by their fields; `within` is the time window; the
// frequency may stand before or after the window.
activity
  : subject=phrase (WHERE filter=predicate)? freq=frequency? (WITHIN span=value)? freqAfter=frequency?
  ;

phrase : words+=IDENT+ ;

frequency
  : AT_LEAST n=NUMBER TIMES?                          # AtLeastFreq
  | AT_MOST n=NUMBER TIMES?                           # AtMostFreq
  | EXACTLY n=NUMBER TIMES?                           # ExactlyFreq
  | BETWEEN lo=NUMBER AND hi=NUMBER TIMES             # BetweenFreq
  | ONCE                                              # OnceFreq
  ;

setExpr
  : setLiteral                                        # LiteralSet
  | name=phrase                                       # NamedSet
  ;

setLiteral : '{' NL* (items+=value (',' NL* items+=value)* ','?)? NL* '}' ;

value
  : '(' inner=value ')'                                             # ParenValue
  | '-' operand=value                                               # NegValue
  | lhs=value op=('*' | '/') rhs=value                              # MulValue
  | lhs=value op=('+' | '-') rhs=value                              # AddValue
  | num=NUMBER unit=IDENT?                                          # NumberValue
  | str=STRING                                                      # StringValue
  | lit=(TRUE | FALSE)                                              # BoolValue
  | TOTAL                                                           # TotalValue
  | call=callValue                                                  # CallValueAlt
  | COUNT_OF act=activity                                           # CountValue
  | SUM_OF field=IDENT OVER act=activity                            # SumValue
  | DAYS_SINCE last=LAST? act=activity                              # DaysSinceValue
  | subject=phrase                                                  # PhraseValue
  ;

// A function call: a built-in (`lower(title)`) or one the embedding program provides; as a
// condition on its own when it answers true or false (`is_customer(email domain)`).
callValue : fn=IDENT '(' (args+=value (',' args+=value)*)? ')' ;

// Multi-word keywords are single tokens so that `at`, `days` or `count` stay usable as names.
AT_LEAST      : 'at' [ \t]+ 'least' ;
AT_MOST       : 'at' [ \t]+ 'most' ;
STARTS_WITH   : 'starts' [ \t]+ 'with' ;
ENDS_WITH     : 'ends' [ \t]+ 'with' ;
IGNORING_CASE : 'ignoring' [ \t]+ 'case' ;
MATCHING_CASE : 'matching' [ \t]+ 'case' ;
DECIMAL_COMMA : 'decimal' [ \t]+ 'comma' ;
COUNT_OF      : 'count' [ \t]+ 'of' ;
SUM_OF        : 'sum' [ \t]+ 'of' ;
DAYS_SINCE    : 'days' [ \t]+ 'since' ;
AS_OF         : 'as' [ \t]+ 'of' ;

MODEL      : 'model' ;
MISSING    : 'missing' ;
VALUES     : 'values' ;
LEAD       : 'lead' ;
EVENT      : 'event' ;
PAGES      : 'pages' ;
CONST      : 'const' ;
DEFINE     : 'define' ;
BEHAVIOUR  : 'behaviour' | 'behavior' ;
SCORE      : 'score' ;
TOTAL      : 'total' ;
TIERS      : 'tiers' ;
DISQUALIFY : 'disqualify' ;
TEST       : 'test' ;
GIVEN      : 'given' ;
EXPECT     : 'expect' ;
AGO        : 'ago' ;
OPTIONAL   : 'optional' ;
ENUM       : 'enum' ;
FROM       : 'from' ;
KEY        : 'key' ;
DECAY      : 'decay' ;
HALF_LIFE  : 'half-life' ;
EVERY      : 'every' ;
EACH       : 'each' ;
OTHERWISE  : 'otherwise' ;
NOT        : 'not' ;
AND        : 'and' ;
OR         : 'or' ;
IS         : 'is' ;
IN         : 'in' ;
PRESENT    : 'present' ;
BETWEEN    : 'between' ;
CONTAINS   : 'contains' ;
MATCHES    : 'matches' ;
NEVER      : 'never' ;
WHERE      : 'where' ;
WITHIN     : 'within' ;
TIMES      : 'times' ;
EXACTLY    : 'exactly' ;
ONCE       : 'once' ;
OVER       : 'over' ;
LAST       : 'last' ;
TRUE       : 'true' ;
FALSE      : 'false' ;

// Names may use any alphabet (`päivä`, `город`), as the languages marketers write in do.
IDENT  : ID_START ID_CONTINUE* ;
fragment ID_START : [\p{L}_] ;
fragment ID_CONTINUE : [\p{L}\p{Mn}\p{Mc}\p{Nd}_] ;
NUMBER : [0-9]+ ('.' [0-9]+)? ;
// Only \" and \\ are escapes, so regexes keep their backslashes: "\bvp\b".
STRING : '"' ( '\\' ["\\] | ~["\\\r\n] | '\\' ~["\\\r\n] )* '"' ;

COMMENT : ('//' | '#') ~[\r\n]* -> channel(HIDDEN) ;
NL      : ('\r'? '\n')+ ;
WS      : [ \t]+ -> channel(HIDDEN) ;
// Anything else becomes one token the parser rejects, with a Rubric message.
UNKNOWN_CHAR : . ;
