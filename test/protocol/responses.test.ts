// Response lines as src/protocol writes them: the only place the server's IMAP syntax comes from.
import { describe, expect, test } from "vitest";
import {
  capabilityResponse, codes, continuation, enabledResponse, esearchResponse, existsResponse, expungeResponse,
  fetchItemsResponse, flagsFetchItems, flagsResponse, idResponse, listResponse, modseqFetchItems, namespaceResponse,
  recentResponse, searchResponse, sortResponse, statusResponse, tagged, threadResponse, untaggedStatus,
  vanishedResponse,
} from "../../src/protocol/responses.js";

describe("status responses", () => {
  test("tagged, untagged and continuation lines end in CRLF; texts cannot break a line", () => {
    expect(tagged("A1", "NO", "Too big", "TOOBIG")).toBe("A1 NO [TOOBIG] Too big\r\n");
    expect(tagged("A2", "OK", "done\r\n* evil")).toBe("A2 OK done * evil\r\n");
    expect(untaggedStatus("BYE", "Logging out")).toBe("* BYE Logging out\r\n");
    expect(untaggedStatus("OK", "Highest", "HIGHESTMODSEQ 7")).toBe("* OK [HIGHESTMODSEQ 7] Highest\r\n");
    expect(continuation("Ready for literal data")).toBe("+ Ready for literal data\r\n");
    expect(continuation()).toBe("+ \r\n");
  });

  test("response codes with structure", () => {
    expect(codes.capability(["IMAP4rev1", "IDLE"])).toBe("CAPABILITY IMAP4rev1 IDLE");
    expect(codes.permanentFlags([])).toBe("PERMANENTFLAGS ()");
    expect(codes.permanentFlags(["\\Seen", "\\*"])).toBe("PERMANENTFLAGS (\\Seen \\*)");
    expect(codes.badCharset(["UTF-8", "US-ASCII"])).toBe("BADCHARSET (UTF-8 US-ASCII)");
    expect(codes.appendUid(3, [7, 8, 9])).toBe("APPENDUID 3 7:9");
    // COPYUID pairs by position: neither set is sorted on its own
    expect(codes.copyUid(9, [1, 2, 3], [12, 11, 10])).toBe("COPYUID 9 1:3 12,11,10");
    expect(codes.modified([5, 3, 4, 9])).toBe("MODIFIED 3:5,9");
  });
});

describe("data responses", () => {
  test("server data", () => {
    expect(capabilityResponse(["IMAP4rev1", "LITERAL+"])).toBe("* CAPABILITY IMAP4rev1 LITERAL+\r\n");
    expect(enabledResponse([])).toBe("* ENABLED\r\n");
    expect(enabledResponse(["CONDSTORE", "QRESYNC"])).toBe("* ENABLED CONDSTORE QRESYNC\r\n");
    expect(idResponse([["name", "asimap"], ["version", "1.0"]])).toBe('* ID ("name" "asimap" "version" "1.0")\r\n');
    expect(idResponse(null)).toBe("* ID NIL\r\n");
    expect(namespaceResponse([["", "/"]])).toBe('* NAMESPACE (("" "/")) NIL NIL\r\n');
  });

  test("mailbox names go out in modified UTF-7, quoted when they must be", () => {
    expect(listResponse("LIST", ["\\HasNoChildren"], "/", "INBOX")).toBe('* LIST (\\HasNoChildren) "/" INBOX\r\n');
    expect(listResponse("LIST", ["\\Noselect"], "/", "")).toBe('* LIST (\\Noselect) "/" ""\r\n');
    expect(listResponse("LSUB", [], "/", "Entwürfe")).toBe('* LSUB () "/" Entw&APw-rfe\r\n');
    expect(listResponse("LIST", ["\\HasChildren"], "/", "a b", ["SUBSCRIBED"]))
      .toBe('* LIST (\\HasChildren) "/" "a b" ("CHILDINFO" ("SUBSCRIBED"))\r\n');
    expect(statusResponse("a b", [["MESSAGES", 3], ["APPENDLIMIT", null]])).toBe('* STATUS "a b" (MESSAGES 3 APPENDLIMIT NIL)\r\n');
  });

  test("mailbox state", () => {
    expect(flagsResponse(["\\Seen", "$Junk"])).toBe("* FLAGS (\\Seen $Junk)\r\n");
    expect(existsResponse(3) + recentResponse(0) + expungeResponse(2)).toBe("* 3 EXISTS\r\n* 0 RECENT\r\n* 2 EXPUNGE\r\n");
    expect(vanishedResponse([4, 2, 3])).toBe("* VANISHED 2:4\r\n");
    expect(vanishedResponse([7], true)).toBe("* VANISHED (EARLIER) 7\r\n");
    expect(fetchItemsResponse(4, flagsFetchItems("(\\Seen)", 9, 12))).toBe("* 4 FETCH (UID 9 FLAGS (\\Seen) MODSEQ (12))\r\n");
    expect(fetchItemsResponse(4, flagsFetchItems("()"))).toBe("* 4 FETCH (FLAGS ())\r\n");
    expect(fetchItemsResponse(1, modseqFetchItems(5))).toBe("* 1 FETCH (MODSEQ (5))\r\n");
  });

  test("search, sort and thread results", () => {
    expect(searchResponse([])).toBe("* SEARCH\r\n");
    expect(searchResponse([], 9)).toBe("* SEARCH\r\n");
    expect(searchResponse([2, 5], 9)).toBe("* SEARCH 2 5 (MODSEQ 9)\r\n");
    expect(esearchResponse("A1", true, [["MIN", 2], ["ALL", [2, 3, 5]], ["COUNT", 3]]))
      .toBe('* ESEARCH (TAG "A1") UID MIN 2 ALL 2:3,5 COUNT 3\r\n');
    // RFC 5267 §3.3: ALL of a SORT keeps the sort order, ranges only where numbers ascend
    expect(esearchResponse("E01", true, [["ALL", [23765, 23764, 23763, 23761]]]))
      .toBe('* ESEARCH (TAG "E01") UID ALL 23765,23764,23763,23761\r\n');
    // RFC 5267 §4.4: PARTIAL's range and its results, NIL beyond the end
    expect(esearchResponse("A3", true, [["PARTIAL", [1, 500], [3, 4, 2]]])).toBe('* ESEARCH (TAG "A3") UID PARTIAL (1:500 3:4,2)\r\n');
    expect(esearchResponse("A4", true, [["PARTIAL", [24000, 24500], []]])).toBe('* ESEARCH (TAG "A4") UID PARTIAL (24000:24500 NIL)\r\n');
    // RFC 5267 §4.3.3's examples
    expect(esearchResponse("B01", true, [["ADDTO", [[0, [32768, 32769]]]]])).toBe('* ESEARCH (TAG "B01") UID ADDTO (0 32768:32769)\r\n');
    expect(esearchResponse("C01", true, [["ADDTO", [[1, [2733]], [1, [2732]], [1, [2731]]]]]))
      .toBe('* ESEARCH (TAG "C01") UID ADDTO (1 2733 1 2732 1 2731)\r\n');
    expect(esearchResponse("B01", true, [["REMOVEFROM", [[0, [32768]]]]])).toBe('* ESEARCH (TAG "B01") UID REMOVEFROM (0 32768)\r\n');
    expect(esearchResponse("A2", false, [])).toBe('* ESEARCH (TAG "A2")\r\n');
    expect(sortResponse([])).toBe("* SORT\r\n");
    expect(sortResponse([3, 1])).toBe("* SORT 3 1\r\n");
    expect(threadResponse([])).toBe("* THREAD\r\n");
    // RFC 5256 §4's example shape: a chain is one list, branches are nested, a dummy writes nothing
    const leaf = (num: number) => ({ num, children: [] });
    expect(threadResponse([
      { num: 2, children: [] },
      { num: 3, children: [{ num: 6, children: [leaf(4), { num: 23, children: [] }] }] },
      { num: null, children: [leaf(7), leaf(8)] },
    ])).toBe("* THREAD (2)(3 6 (4)(23))((7)(8))\r\n");
  });
});
