package jdtime_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	jsonv2 "github.com/go-json-experiment/json"

	"github.com/vmimage/vmimage/client/api/jdtime"
)

type image struct {
	CreateTime *jdtime.Time `json:"createTime,omitempty"`
}

func TestRoundTripsByteForByte(t *testing.T) {
	for _, body := range []string{
		`{"createTime":"2021-01-28 16:49:05"}`,
		`{"createTime":"2000-02-29 00:00:00"}`,
		`{"createTime":"2024-12-31 23:59:59"}`,
		`{"createTime":""}`,
		`{}`,
	} {
		var img image
		if err := json.Unmarshal([]byte(body), &img); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		out, err := json.Marshal(img)
		if err != nil || string(out) != body {
			t.Errorf("encoding/json: %s came back as %s (%v)", body, out, err)
		}
		var img2 image
		if err := jsonv2.Unmarshal([]byte(body), &img2); err != nil {
			t.Fatalf("json v2: %s: %v", body, err)
		}
		out, err = jsonv2.Marshal(img2)
		// (JSON v2's omitempty also leaves out a value written as "".)
		if err != nil || (string(out) != body && body != `{"createTime":""}`) {
			t.Errorf("json v2: %s came back as %s (%v)", body, out, err)
		}
	}
}

func TestHoldsTheInstantInChinaStandardTime(t *testing.T) {
	var img image
	if err := json.Unmarshal([]byte(`{"createTime":"2021-01-28 16:49:05"}`), &img); err != nil {
		t.Fatal(err)
	}
	got := *img.CreateTime
	if want := time.Date(2021, 1, 28, 8, 49, 5, 0, time.UTC); !got.Equal(want) {
		t.Errorf("%v is not %v", got.Time, want)
	}
	if name, offset := got.Zone(); name != "CST" || offset != 8*3600 {
		t.Errorf("zone %s %d, want CST +8h", name, offset)
	}
	if got.String() != "2021-01-28 16:49:05" {
		t.Errorf("String() = %q", got.String())
	}
	// A time from anywhere is written in China Standard Time.
	b, _ := json.Marshal(jdtime.New(time.Date(2021, 1, 28, 8, 49, 5, 0, time.UTC)))
	if string(b) != `"2021-01-28 16:49:05"` {
		t.Errorf("New(UTC) encodes as %s", b)
	}
	if !jdtime.New(time.Time{}).IsZero() {
		t.Error("New(zero) is not zero")
	}
	var empty image
	if err := json.Unmarshal([]byte(`{"createTime":""}`), &empty); err != nil || empty.CreateTime == nil || !empty.CreateTime.IsZero() {
		t.Errorf(`"" decodes to %v, %v; want the zero Time`, empty.CreateTime, err)
	}
}

func TestRefusesOtherFormsNamingTheField(t *testing.T) {
	for _, v := range []string{
		`"2021-01-28T16:49:05Z"`, // ISO-8601
		`"2021-01-28 16:49"`,
		`"2021-1-28 16:49:05"`,
		`"2021-01-28 6:49:05"`, // parses, but would not be written back as sent
		`"2021-02-30 12:00:00"`,
		`"2023-02-29 12:00:00"`,
		`"2021-00-10 12:00:00"`,
		`"2021-13-10 12:00:00"`,
		`"2021-01-28 24:00:00"`,
		`"2021-01-28 16:60:05"`,
		`"2021-01-28 16:49:60"`,
		`"2021-01-28+16:49:05"`,
		`"-021-01-28 16:49:05"`,
		`"2021-01-28 16:49:05 "`,
		`"2021-01-28 16:49:05.123"`,
		`" "`,
		`1611823745`,
		`true`,
		`{}`,
	} {
		body := `{"result":{"image":{"createTime":` + v + `}}}`
		var out struct {
			Result struct {
				Image image `json:"image"`
			} `json:"result"`
		}
		err := json.Unmarshal([]byte(body), &out)
		var te *json.UnmarshalTypeError
		if !errors.As(err, &te) || !strings.Contains(err.Error(), "result.image.createTime") {
			t.Errorf("encoding/json, %s: got %v, want an error naming result.image.createTime", v, err)
		}
		err = jsonv2.Unmarshal([]byte(body), &out)
		if err == nil || !strings.Contains(err.Error(), "/result/image/createTime") {
			t.Errorf("json v2, %s: got %v, want an error naming /result/image/createTime", v, err)
		}
	}
	var pe *jdtime.ParseError
	if _, err := jdtime.Parse("2021/01/28 16:49:05"); !errors.As(err, &pe) || pe.Value != "2021/01/28 16:49:05" ||
		!strings.Contains(err.Error(), jdtime.Layout) {
		t.Errorf("Parse: %v", err)
	}
}

// Parse agrees with the standard library's parser on every second boundary it is
// given, and on the texts it refuses.
func TestParseAgreesWithTheStandardLibrary(t *testing.T) {
	for ts := time.Date(2023, 12, 31, 0, 0, 0, 0, jdtime.China); ts.Year() < 2025; ts = ts.Add(7*time.Hour + 13*time.Minute + 17*time.Second) {
		text := ts.Format(jdtime.Layout)
		got, err := jdtime.Parse(text)
		if err != nil || !got.Equal(ts) || got.String() != text {
			t.Fatalf("%s: %v, %v", text, got, err)
		}
	}
	for _, text := range []string{"2024-02-29 23:59:59", "0001-01-01 00:00:00", "9999-12-31 23:59:59", "2024-02-30 00:00:00", "2024-04-31 00:00:00"} {
		want, werr := time.ParseInLocation(jdtime.Layout, text, jdtime.China)
		got, err := jdtime.Parse(text)
		if (err == nil) != (werr == nil) || !got.Equal(want) {
			t.Errorf("%s: %v, %v; time.Parse: %v, %v", text, got, err, want, werr)
		}
	}
}

func TestNullLeavesTheTimeAlone(t *testing.T) {
	want := jdtime.New(time.Date(2021, 1, 28, 16, 49, 5, 0, jdtime.China))
	v := struct {
		T jdtime.Time `json:"t"`
	}{want}
	if err := json.Unmarshal([]byte(`{"t":null}`), &v); err != nil || !v.T.Equal(want.Time) {
		t.Errorf("null: %v, %v", v.T, err)
	}
}

func TestText(t *testing.T) {
	var tm jdtime.Time
	if err := tm.UnmarshalText([]byte("2021-01-28 16:49:05")); err != nil {
		t.Fatal(err)
	}
	if b, _ := tm.MarshalText(); string(b) != "2021-01-28 16:49:05" {
		t.Errorf("MarshalText = %q", b)
	}
	if err := tm.UnmarshalText([]byte("yesterday")); err == nil {
		t.Error("UnmarshalText accepted yesterday")
	}
}
