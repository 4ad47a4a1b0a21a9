package query

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestEscapeIsRFC3986(t *testing.T) {
	for in, want := range map[string]string{
		"Ubuntu 22.04": "Ubuntu%2022.04",
		"a+b/c?d":      "a%2Bb%2Fc%3Fd",
		"~-._AZaz09":   "~-._AZaz09",
		"!'()*":        "%21%27%28%29%2A",
		"中":            "%E4%B8%AD",
	} {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCanonicalSortsAndReescapes(t *testing.T) {
	want := "ids.1=img-b&ids.2=img-a&imageName=Ubuntu%2022.04&imageSource=public&pageNumber=2&pageSize=50"
	for _, raw := range []string{
		want,
		"pageSize=50&imageSource=public&ids.2=img-a&pageNumber=2&imageName=Ubuntu+22.04&ids.1=img-b",
		"imageName=Ubuntu%2022.04&ids.1=img-b&&ids.2=img-a&imageSource=public&pageNumber=2&pageSize=50",
	} {
		if got := Canonical(raw); got != want {
			t.Errorf("Canonical(%q) =\n%s\nwant\n%s", raw, got, want)
		}
	}
	if got := Canonical("b=2&a=3&a=1&c"); got != "a=1&a=3&b=2&c=" {
		t.Errorf("got %q", got)
	}
	if got := Canonical("a=%zz"); got != "a=%25zz" {
		t.Errorf("malformed escape: got %q", got)
	}
}

func TestEncodeIsCanonical(t *testing.T) {
	v := url.Values{"pageSize": {"50"}, "imageName": {"Ubuntu 22.04"}, "ids.1": {"img-b"}, "ids.2": {"img-a"}}
	got := Encode(v)
	if got != "ids.1=img-b&ids.2=img-a&imageName=Ubuntu%2022.04&pageSize=50" || Canonical(got) != got {
		t.Errorf("Encode = %q", got)
	}
}

func TestIndexAndUnindexRoundTrip(t *testing.T) {
	ids := []string{"img-b", "img-a", "img-c", "img-d", "img-e", "img-f", "img-g", "img-h", "img-i", "img-j", "img-k"}
	v := Index(url.Values{"ids": ids, "imageSource": {"public"}}, []string{"ids", "instanceIds"})
	if _, ok := v["ids"]; ok || v.Get("ids.1") != "img-b" || v.Get("ids.11") != "img-k" {
		t.Fatalf("Index = %v", v)
	}
	// Canonical order sorts ids.10 before ids.2; Unindex restores the element order.
	parsed, err := url.ParseQuery(Encode(v))
	if err != nil {
		t.Fatal(err)
	}
	back, err := Unindex(parsed, []string{"ids", "instanceIds"})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back["ids"], ids) || back.Get("imageSource") != "public" || len(back) != 2 {
		t.Errorf("Unindex = %v", back)
	}
}

func TestUnindexRefusesOtherForms(t *testing.T) {
	for raw, want := range map[string]string{
		"ids=img-a&ids=img-b":   "must be sent indexed",
		"ids.1=img-a&ids.3=b":   "ids.2 is missing",
		"ids.0=img-a":           "not a number from 1",
		"ids.01=img-a":          "not a number from 1",
		"ids.x=img-a":           "not a number from 1",
		"ids.1=img-a&ids.1=b":   "repeated",
		"ids.1=img-a&ids=img-b": "must be sent indexed",
	} {
		v, _ := url.ParseQuery(raw)
		_, err := Unindex(v, []string{"ids"})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Unindex(%q) = %v, want an error containing %q", raw, err, want)
		}
	}
}
