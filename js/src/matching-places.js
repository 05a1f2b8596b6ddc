// Countries, their calling codes and U.S. states, for matching.js: how "United States", "UK",
// "030 1234567" with a German customer or "California" become what the vendors ask for.

// ITU-T E.164 country calling codes by ISO 3166-1 alpha-2 code (as in libphonenumber), which makes
// this also the list of valid country codes: the last group has no calling code of its own.
const CALLING_CODES = `
1:ag,ai,as,bb,bm,bs,ca,dm,do,gd,gu,jm,kn,ky,lc,mp,ms,pr,sx,tc,tt,us,vc,vg,vi 20:eg 211:ss
212:eh,ma 213:dz 216:tn 218:ly 220:gm 221:sn 222:mr 223:ml 224:gn 225:ci 226:bf 227:ne 228:tg
229:bj 230:mu 231:lr 232:sl 233:gh 234:ng 235:td 236:cf 237:cm 238:cv 239:st 240:gq 241:ga
242:cg 243:cd 244:ao 245:gw 246:io 248:sc 249:sd 250:rw 251:et 252:so 253:dj 254:ke 255:tz
256:ug 257:bi 258:mz 260:zm 261:mg 262:re,yt 263:zw 264:na 265:mw 266:ls 267:bw 268:sz 269:km
27:za 290:sh 291:er 297:aw 298:fo 299:gl 30:gr 31:nl 32:be 33:fr 34:es 350:gi 351:pt 352:lu
353:ie 354:is 355:al 356:mt 357:cy 358:ax,fi 359:bg 36:hu 370:lt 371:lv 372:ee 373:md 374:am
375:by 376:ad 377:mc 378:sm 380:ua 381:rs 382:me 385:hr 386:si 387:ba 389:mk 39:it,va 40:ro
41:ch 420:cz 421:sk 423:li 43:at 44:gb,gg,im,je 45:dk 46:se 47:no,sj 48:pl 49:de 500:fk 501:bz
502:gt 503:sv 504:hn 505:ni 506:cr 507:pa 508:pm 509:ht 51:pe 52:mx 53:cu 54:ar 55:br 56:cl
57:co 58:ve 590:bl,gp,mf 591:bo 592:gy 593:ec 594:gf 595:py 596:mq 597:sr 598:uy 599:bq,cw
60:my 61:au,cc,cx 62:id 63:ph 64:nz 65:sg 66:th 670:tl 672:nf 673:bn 674:nr 675:pg 676:to
677:sb 678:vu 679:fj 680:pw 681:wf 682:ck 683:nu 685:ws 686:ki 687:nc 688:tv 689:pf 690:tk
691:fm 692:mh 7:kz,ru 81:jp 82:kr 84:vn 850:kp 852:hk 853:mo 855:kh 856:la 86:cn 880:bd 886:tw
90:tr 91:in 92:pk 93:af 94:lk 95:mm 960:mv 961:lb 962:jo 963:sy 964:iq 965:kw 966:sa 967:ye
968:om 970:ps 971:ae 972:il 973:bh 974:qa 975:bt 976:mn 977:np 98:ir 992:tj 993:tm 994:az
995:ge 996:kg 998:uz :aq,bv,gs,hm,pn,tf,um`;

// U.S. states, D.C. and territories by name (letters only) → ANSI (USPS) code.
const US_STATES = `
alabama:al alaska:ak americansamoa:as arizona:az arkansas:ar california:ca colorado:co
connecticut:ct delaware:de districtofcolumbia:dc florida:fl georgia:ga guam:gu hawaii:hi
idaho:id illinois:il indiana:in iowa:ia kansas:ks kentucky:ky louisiana:la maine:me maryland:md
massachusetts:ma michigan:mi minnesota:mn mississippi:ms missouri:mo montana:mt nebraska:ne
nevada:nv newhampshire:nh newjersey:nj newmexico:nm newyork:ny northcarolina:nc northdakota:nd
northernmarianaislands:mp ohio:oh oklahoma:ok oregon:or pennsylvania:pa puertorico:pr
rhodeisland:ri southcarolina:sc southdakota:sd tennessee:tn texas:tx utah:ut vermont:vt
virginia:va usvirginislands:vi washington:wa westvirginia:wv wisconsin:wi wyoming:wy`;

// Names that are not (or no longer) the ones the browser's Intl data gives.
const COUNTRY_ALIASES = [
  ["usa", "us"],
  ["unitedstatesofamerica", "us"],
  ["greatbritain", "gb"],
  ["czechrepublic", "cz"],
  ["turkey", "tr"],
];

// The tables are read on first use only: most events carry no customer data.
const tables = {};

/** The calling code of an ISO 3166-1 alpha-2 country ("de" → "49"), "" for a country that has
 * none of its own, undefined for anything that is not a country code. */
export function callingCode(country) {
  return callingCodes().get(country);
}

function callingCodes() {
  if (!tables.callingCodes) {
    tables.callingCodes = new Map();
    for (const group of CALLING_CODES.trim().split(/\s+/)) {
      const [code, countries] = group.split(":");
      for (const each of countries.split(",")) tables.callingCodes.set(each, code);
    }
  }
  return tables.callingCodes;
}

/** The ISO 3166-1 alpha-2 code, in lower case, of a code ("US", "u.s.") or an English country
 * name ("United States", "Côte d'Ivoire", from the browser's own Intl data, long and short
 * forms: "United Kingdom", "UK"), or null. */
export function countryCode(value) {
  const letters = latinLetters(value);
  if (letters.length === 2 && callingCode(letters) !== undefined) return letters;
  if (!tables.countryNames) {
    tables.countryNames = new Map(COUNTRY_ALIASES);
    try {
      for (const style of ["long", "short"]) {
        const display = new Intl.DisplayNames(["en"], { type: "region", style });
        for (const code of callingCodes().keys()) {
          const name = latinLetters(display.of(code.toUpperCase()));
          if (!tables.countryNames.has(name)) tables.countryNames.set(name, code);
        }
      }
    } catch {
      // A browser without Intl.DisplayNames: codes and aliases are still understood.
    }
  }
  return tables.countryNames.get(letters) || null;
}

/** The ANSI code of a U.S. state given by its code or its name in lower-case letters
 * ("ca", "california" → "ca"), or undefined. */
export function usStateCode(letters) {
  if (!tables.usStates) {
    tables.usStates = new Map(
      US_STATES.trim()
        .split(/\s+/)
        .map((pair) => pair.split(":")),
    );
    tables.usStateCodes = new Set(tables.usStates.values());
  }
  return tables.usStateCodes.has(letters) ? letters : tables.usStates.get(letters);
}

/** Lower-case a-z only, accents dropped and "&" spelled out: how country names are compared. */
function latinLetters(value) {
  return value
    .normalize("NFD")
    .toLowerCase()
    .replace(/&/g, "and")
    .replace(/[^a-z]/g, "");
}
