package fake_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/vmimage/vmimage/client/api"
	"github.com/vmimage/vmimage/fake"
	"github.com/vmimage/vmimage/signer"
	"github.com/vmimage/vmimage/validate"
)

// The id of the spec's examples, stored by the scenarios that need it.
const exImage = "img-m5s0ab1c29"

// putExample stores exImage in cn-north-1: a ready private cloud-disk image of the
// account, changed by edit.
func putExample(h *writeHarness, edit func(*api.Image)) {
	h.t.Helper()
	img, _ := h.srv.Images().Get("cn-north-1", fake.SeedShared)
	id := exImage
	img.ImageId = &id
	if edit != nil {
		edit(&img)
	}
	if err := h.srv.Images().Put("cn-north-1", img); err != nil {
		h.t.Fatal(err)
	}
}

func putInstance(h *writeHarness, vm fake.Instance) {
	h.t.Helper()
	if vm.ID == "" {
		vm.ID = "i-eumm4d5fd6"
	}
	if vm.Status == "" {
		vm.Status = "running"
	}
	if err := h.srv.Images().PutInstance("cn-north-1", vm); err != nil {
		h.t.Fatal(err)
	}
}

func sysDisk() *fake.Disk {
	return &fake.Disk{DeviceName: "vda", ID: "vol-sys0000009", SizeGB: 40, Type: api.DiskTypeSSDGP1, Status: api.DiskStatusInUse}
}

func encryptedDisk(snapshot string) api.InstanceDiskAttachment {
	yes := true
	return api.InstanceDiskAttachment{CloudDisk: &api.Disk{Encrypted: &yes, SnapshotId: &snapshot}}
}

func exportOf(id string) string {
	return n1 + "/images/" + id + "%3AexportImage"
}

const exportBody = `{"roleName":"image-export-test","ossUrl":"https://lijietest.s3-internal.cn-north-1.jdcloud-oss.com"}`

// scenario produces one of the spec's error examples from the fake: it returns the
// answer of the call that must carry it.
type scenario struct {
	opts []fake.Option
	run  func(h *writeHarness) answer
}

func call(op, method, target, body string) func(h *writeHarness) answer {
	return func(h *writeHarness) answer { return h.do(op, method, target, body, false) }
}

// withExample stores exImage (edited) first, then makes the call.
func withExample(edit func(*api.Image), op, method, target, body string) func(h *writeHarness) answer {
	return func(h *writeHarness) answer {
		putExample(h, edit)
		return h.do(op, method, target, body, false)
	}
}

// after stores exImage, makes a first call (an export: a task; a copy: busy), then the
// call.
func after(first, op, method, target, body string) func(h *writeHarness) answer {
	return func(h *writeHarness) answer {
		putExample(h, nil)
		switch first {
		case "export":
			h.ok("exportImage", http.MethodPost, exportOf(exImage), exportBody)
		case "copy":
			h.ok("copyImages", http.MethodPost, n1+"/images%3AcopyImages", `{"sourceImageIds":["`+exImage+`"],"destinationRegion":"cn-east-2"}`)
		}
		return h.do(op, method, target, body, false)
	}
}

func instanceCall(vm fake.Instance, body string) func(h *writeHarness) answer {
	return func(h *writeHarness) answer {
		putInstance(h, vm)
		return h.do("createImage", http.MethodPost, n1+"/instances/i-eumm4d5fd6%3AcreateImage", body, false)
	}
}

func pending(img *api.Image) { s := api.ImageStatusPending; img.Status = &s }

var (
	exPath     = n1 + "/images/" + exImage
	copyPath   = n1 + "/images%3AcopyImages"
	copyBody   = `{"sourceImageIds":["` + exImage + `"],"destinationRegion":"cn-east-2"}`
	importBody = `{"architecture":"x86_64","osType":"linux","platform":"CentOS","diskFormat":"raw","systemDiskSizeGB":50,"imageUrl":"https://test.s3-internal.cn-north-1.jdcloud-oss.com/linux/system_img.raw","imageName":"testImport"}`
	snapsBody  = `{"name":"centos-7.9-base","platform":"CentOS","architecture":"x86_64","bootMode":"bios","cloudDisks":[{"snapshotId":"` + fake.SeedSnapshotSystem + `","deviceName":"vda"}]`
	twentyOne  = `{"pins":["p1","p2","p3","p4","p5","p6","p7","p8","p9","p10","p11"],"loginNames":["l1","l2","l3","l4","l5","l6","l7","l8","l9","l10"]}`
	createBody = `{"name":"app-server"}`
	tokenTwice = func(op, target, body, token string) func(h *writeHarness) answer {
		return func(h *writeHarness) answer {
			putExample(h, nil)
			first := strings.TrimSuffix(body, "}") + `,"clientToken":"` + token + `"}`
			h.ok(op, http.MethodPost, target, first)
			other := strings.Replace(first, `"clientToken"`, `"description":"another","clientToken"`, 1)
			if op == "exportImage" {
				other = strings.Replace(first, `"clientToken"`, `"ossPrefix":"other","clientToken"`, 1)
			}
			return h.do(op, http.MethodPost, target, other, false)
		}
	}
	exampleScenarios = map[string]scenario{
		"copyImages/busy":             {run: after("copy", "copyImages", http.MethodPost, copyPath, copyBody)},
		"copyImages/encrypted":        {run: withExample(func(img *api.Image) { d := encryptedDisk("snapshot-h8u1ab2c36"); img.SystemDisk = &d }, "copyImages", http.MethodPost, copyPath, copyBody)},
		"copyImages/invalidRegion":    {run: call("copyImages", http.MethodPost, copyPath, `{"sourceImageIds":["`+exImage+`"],"destinationRegion":"cn-nowhere-9"}`)},
		"copyImages/invalidStatus":    {run: withExample(pending, "copyImages", http.MethodPost, copyPath, copyBody)},
		"copyImages/notPrivate":       {run: call("copyImages", http.MethodPost, copyPath, `{"sourceImageIds":["`+fake.SeedCentOS+`"],"destinationRegion":"cn-east-2"}`)},
		"copyImages/onlyCloudDisk":    {run: call("copyImages", http.MethodPost, copyPath, `{"sourceImageIds":["`+fake.SeedPrivateLocal+`"],"destinationRegion":"cn-east-2"}`)},
		"copyImages/pathCopyMismatch": {run: call("copyImages", http.MethodPost, copyPath, `{"regionId":"cn-east-2","sourceImageIds":["`+exImage+`"],"destinationRegion":"cn-east-2"}`)},
		"copyImages/taskConflict":     {run: after("export", "copyImages", http.MethodPost, copyPath, copyBody)},
		"copyImages/imageNotFound":    {run: call("copyImages", http.MethodPost, copyPath, copyBody)},
		"copyImages/imageQuota":       {opts: []fake.Option{fake.WithImageQuota(5)}, run: call("copyImages", http.MethodPost, copyPath, `{"sourceImageIds":["`+fake.SeedShared+`"],"destinationRegion":"cn-north-1"}`)},

		"createImage/deviceShrinks":         {run: call("createImage", http.MethodPost, n1+"/instances/"+fake.SeedInstanceCloud+"%3AcreateImage", `{"name":"x1","dataDisks":[{"deviceName":"vdb","cloudDiskSpec":{"diskSizeGB":50}}]}`)},
		"createImage/diskBusy":              {run: instanceCall(fake.Instance{SystemDisk: sysDisk(), DataDisks: []fake.Disk{{DeviceName: "vdb", ID: "vol-ab12cd34ef", SizeGB: 20, Status: api.DiskStatusInUse, Task: "snapshot"}}}, createBody)},
		"createImage/diskSizeOutOfRange":    {run: call("createImage", http.MethodPost, n1+"/instances/"+fake.SeedInstanceCloud+"%3AcreateImage", `{"name":"x1","dataDisks":[{"deviceName":"vdx","cloudDiskSpec":{"diskType":"ssd.gp1","diskSizeGB":5}}]}`)},
		"createImage/diskTypeMissing":       {run: call("createImage", http.MethodPost, n1+"/instances/"+fake.SeedInstanceCloud+"%3AcreateImage", `{"dataDisks":[{"autoDelete":null,"cloudDiskSpec":{"az":"","charge":null,"diskSizeGB":0,"diskType":"","name":"","snapshotId":null},"deviceName":"vdx","diskCategory":null,"noDevice":null}],"description":null,"instanceId":"`+fake.SeedInstanceCloud+`","name":"x1","regionId":"cn-north-1"}`)},
		"createImage/duplicateDevice":       {run: call("createImage", http.MethodPost, n1+"/instances/"+fake.SeedInstanceCloud+"%3AcreateImage", `{"name":"x1","dataDisks":[{"deviceName":"vdc","noDevice":true},{"deviceName":"vdc","noDevice":true}]}`)},
		"createImage/instanceBusy":          {run: call("createImage", http.MethodPost, n1+"/instances/"+fake.SeedInstanceBusy+"%3AcreateImage", createBody)},
		"createImage/invalidDiskStatus":     {run: instanceCall(fake.Instance{SystemDisk: sysDisk(), DataDisks: []fake.Disk{{DeviceName: "vdb", ID: "vol-ab12cd34ef", SizeGB: 20, Status: api.DiskStatusErrorExtend}}}, createBody)},
		"createImage/invalidInstanceStatus": {run: instanceCall(fake.Instance{Status: "starting", SystemDisk: sysDisk()}, createBody)},
		"createImage/iopsOutOfRange":        {run: call("createImage", http.MethodPost, n1+"/instances/"+fake.SeedInstanceCloud+"%3AcreateImage", `{"name":"x1","dataDisks":[{"deviceName":"vdx","cloudDiskSpec":{"diskType":"ssd.io1","diskSizeGB":40,"iops":100000}}]}`)},
		"createImage/noSystemDisk":          {run: instanceCall(fake.Instance{}, createBody)},
		"createImage/pathCopyMismatch":      {run: call("createImage", http.MethodPost, n1+"/instances/i-eumm4d5fd6%3AcreateImage", `{"instanceId":"i-other00001","name":"x1"}`)},
		"createImage/stopFirst":             {run: call("createImage", http.MethodPost, n1+"/instances/"+fake.SeedInstanceLocal+"%3AcreateImage", createBody)},
		"createImage/systemDiskMountState":  {run: instanceCall(fake.Instance{SystemDisk: &fake.Disk{DeviceName: "vda", ID: "vol-sys0000009", SizeGB: 40, Status: api.DiskStatusInUse, Mounting: true}}, createBody)},
		"createImage/instanceNotFound":      {run: call("createImage", http.MethodPost, n1+"/instances/i-eumm4d5fd6%3AcreateImage", createBody)},
		"createImage/snapshotNotFound":      {run: call("createImage", http.MethodPost, n1+"/instances/"+fake.SeedInstanceCloud+"%3AcreateImage", `{"name":"x1","dataDisks":[{"deviceName":"vdx","cloudDiskSpec":{"snapshotId":"snapshot-h8u1ab2c36"}}]}`)},
		"createImage/imageQuota":            {opts: []fake.Option{fake.WithImageQuota(5)}, run: call("createImage", http.MethodPost, n1+"/instances/"+fake.SeedInstanceCloud+"%3AcreateImage", createBody)},

		"createImageFromSnapshots/noSystemDisk":     {run: call("createImageFromSnapshots", http.MethodPost, n1+"/images%3AcreateImageFromSnapshots", strings.Replace(snapsBody, `"vda"`, `"vdb"`, 1)+"}")},
		"createImageFromSnapshots/pathCopyMismatch": {run: call("createImageFromSnapshots", http.MethodPost, n1+"/images%3AcreateImageFromSnapshots", snapsBody+`,"regionId":"cn-east-2"}`)},
		"createImageFromSnapshots/tokenReused":      {run: tokenTwice("createImageFromSnapshots", n1+"/images%3AcreateImageFromSnapshots", snapsBody+"}", "3f1e2d4c-5b6a-4789-8a0b-1c2d3e4f5a6b")},
		"createImageFromSnapshots/snapshotNotFound": {run: call("createImageFromSnapshots", http.MethodPost, n1+"/images%3AcreateImageFromSnapshots", strings.Replace(snapsBody, fake.SeedSnapshotSystem, "snapshot-s1y2s3t4e5", 1)+"}")},
		"createImageFromSnapshots/imageQuota":       {opts: []fake.Option{fake.WithImageQuota(5)}, run: call("createImageFromSnapshots", http.MethodPost, n1+"/images%3AcreateImageFromSnapshots", snapsBody+"}")},

		"deleteImage/busy": {run: after("copy", "deleteImage", http.MethodDelete, exPath, "")},
		"deleteImage/community": {run: func(h *writeHarness) answer {
			putExample(h, nil)
			h.ok("releaseImage", http.MethodPost, exPath+"%3Arelease", "")
			return h.do("deleteImage", http.MethodDelete, exPath, "", false)
		}},
		"deleteImage/localDiskInUse": {run: call("deleteImage", http.MethodDelete, n1+"/images/"+fake.SeedPrivateLocal, "")},
		"deleteImage/notYours":       {run: call("deleteImage", http.MethodDelete, n1+"/images/"+fake.SeedCentOS, "")},
		"deleteImage/protected": {run: func(h *writeHarness) answer {
			putExample(h, nil)
			if err := h.srv.Images().Protect("cn-north-1", exImage, true); err != nil {
				h.t.Fatal(err)
			}
			return h.do("deleteImage", http.MethodDelete, exPath, "", false)
		}},
		"deleteImage/shared":        {run: call("deleteImage", http.MethodDelete, n1+"/images/"+fake.SeedShared, "")},
		"deleteImage/taskConflict":  {run: after("export", "deleteImage", http.MethodDelete, exPath, "")},
		"deleteImage/imageNotFound": {run: call("deleteImage", http.MethodDelete, exPath, "")},

		"exportImage/invalidStatus":    {run: withExample(pending, "exportImage", http.MethodPost, exportOf(exImage), exportBody)},
		"exportImage/invalidType":      {run: call("exportImage", http.MethodPost, exportOf(fake.SeedPrivateLocal), exportBody)},
		"exportImage/notPrivate":       {run: call("exportImage", http.MethodPost, exportOf(fake.SeedCentOS), exportBody)},
		"exportImage/ossRegion":        {run: withExample(nil, "exportImage", http.MethodPost, exportOf(exImage), strings.Replace(exportBody, "cn-north-1", "cn-east-2", 1))},
		"exportImage/pathCopyMismatch": {run: call("exportImage", http.MethodPost, exportOf(exImage), `{"imageId":"img-other0001","roleName":"r","ossUrl":"https://b.s3.cn-north-1.jdcloud-oss.com"}`)},
		"exportImage/tokenReused":      {run: tokenTwice("exportImage", exportOf(exImage), exportBody, "0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6")},
		"exportImage/windows":          {run: call("exportImage", http.MethodPost, exportOf(fake.SeedPrivateWindows), exportBody)},
		"exportImage/imageNotFound":    {run: call("exportImage", http.MethodPost, exportOf(exImage), exportBody)},

		"imageTasks/pageSizeOutOfRange": {run: call("imageTasks", http.MethodGet, n1+"/imageTasks?pageSize=0", "")},

		"importImage/ossRegion":        {run: call("importImage", http.MethodPost, n1+"/images%3Aimport", strings.Replace(importBody, "cn-north-1", "cn-east-2", 1))},
		"importImage/pathCopyMismatch": {run: call("importImage", http.MethodPost, n1+"/images%3Aimport", strings.Replace(importBody, "{", `{"regionId":"cn-east-2",`, 1))},
		"importImage/systemDiskSize":   {run: call("importImage", http.MethodPost, n1+"/images%3Aimport", strings.Replace(importBody, "50", "55", 1))},
		"importImage/tokenReused":      {run: tokenTwice("importImage", n1+"/images%3Aimport", importBody, "8b9c0d1e-2f3a-4b5c-8d6e-7f8091a2b3c4")},
		"importImage/imageQuota":       {opts: []fake.Option{fake.WithImageQuota(5)}, run: call("importImage", http.MethodPost, n1+"/images%3Aimport", importBody)},

		"modifyImageAttribute/notPrivate":       {run: call("modifyImageAttribute", http.MethodPost, n1+"/images/"+fake.SeedCentOS+"%3AmodifyImageAttribute", `{"name":"x"}`)},
		"modifyImageAttribute/nothingToChange":  {run: withExample(nil, "modifyImageAttribute", http.MethodPost, exPath+"%3AmodifyImageAttribute", `{"description":null,"imageId":"`+exImage+`","name":null,"regionId":"cn-north-1"}`)},
		"modifyImageAttribute/pathCopyMismatch": {run: call("modifyImageAttribute", http.MethodPost, exPath+"%3AmodifyImageAttribute", `{"imageId":"img-other0001","name":"x"}`)},
		"modifyImageAttribute/taskConflict":     {run: after("export", "modifyImageAttribute", http.MethodPost, exPath+"%3AmodifyImageAttribute", `{"name":"x"}`)},
		"modifyImageAttribute/imageNotFound":    {run: call("modifyImageAttribute", http.MethodPost, exPath+":modifyImageAttribute", `{"name":"x"}`)},

		"releaseImage/encrypted": {run: withExample(func(img *api.Image) {
			img.DataDisks = []api.InstanceDiskAttachment{encryptedDisk("snapshot-d1a2t3a4b5")}
		}, "releaseImage", http.MethodPost, exPath+"%3Arelease", "")},
		"releaseImage/notPrivate":       {run: call("releaseImage", http.MethodPost, n1+"/images/"+fake.SeedCentOS+"%3Arelease", "")},
		"releaseImage/onlyCloudDisk":    {run: call("releaseImage", http.MethodPost, n1+"/images/"+fake.SeedPrivateLocal+"%3Arelease", "")},
		"releaseImage/pathCopyMismatch": {run: call("releaseImage", http.MethodPost, exPath+"%3Arelease", `{"imageId":"img-other0001","regionId":"cn-north-1"}`)},
		"releaseImage/taskConflict":     {run: after("export", "releaseImage", http.MethodPost, exPath+"%3Arelease", "")},
		"releaseImage/imageNotFound":    {run: call("releaseImage", http.MethodPost, exPath+":release", "")},

		"shareImage/community": {run: withExample(func(img *api.Image) { c := api.ImageSourceCommunity; img.ImageSource = &c }, "shareImage", http.MethodPost, exPath+"%3Ashare", `{"pins":["pin1"]}`)},
		"shareImage/encrypted": {run: withExample(func(img *api.Image) {
			img.DataDisks = []api.InstanceDiskAttachment{encryptedDisk("snapshot-d1a2t3a4b5")}
		}, "shareImage", http.MethodPost, exPath+"%3Ashare", `{"pins":["pin1"]}`)},
		"shareImage/invalidPin":       {run: call("shareImage", http.MethodPost, exPath+"%3Ashare", `{"pins":["pin 1"]}`)},
		"shareImage/noAccounts":       {run: call("shareImage", http.MethodPost, exPath+"%3Ashare", `{"imageId":"`+exImage+`","loginNames":null,"pins":[],"regionId":"cn-north-1"}`)},
		"shareImage/notPrivate":       {run: call("shareImage", http.MethodPost, n1+"/images/"+fake.SeedCentOS+"%3Ashare", `{"pins":["pin1"]}`)},
		"shareImage/ownAccount":       {run: call("shareImage", http.MethodPost, exPath+"%3Ashare", `{"pins":["`+fake.OwnPin+`"]}`)},
		"shareImage/pathCopyMismatch": {run: call("shareImage", http.MethodPost, exPath+"%3Ashare", `{"imageId":"img-other0001","pins":["pin1"]}`)},
		"shareImage/pinNotFound":      {run: call("shareImage", http.MethodPost, exPath+"%3Ashare", `{"pins":["`+fake.UnknownPin+`"]}`)},
		"shareImage/taskConflict":     {run: after("export", "shareImage", http.MethodPost, exPath+"%3Ashare", `{"pins":["pin1"]}`)},
		"shareImage/tooManyAccounts":  {run: call("shareImage", http.MethodPost, exPath+"%3Ashare", twentyOne)},
		"shareImage/imageNotFound":    {run: call("shareImage", http.MethodPost, exPath+":share", `{"pins":["pin1"]}`)},
		"shareImage/shareQuota": {run: func(h *writeHarness) answer {
			putExample(h, nil)
			h.ok("shareImage", http.MethodPost, exPath+"%3Ashare", `{"pins":["p1","p2","p3","p4","p5","p6","p7","p8","p9","p10"],"loginNames":["l1","l2","l3","l4","l5","l6","l7","l8","l9","l10"]}`)
			return h.do("shareImage", http.MethodPost, exPath+"%3Ashare", `{"pins":["p11"]}`, false)
		}},

		"unReleaseImage/notYours":         {run: call("unReleaseImage", http.MethodPost, n1+"/images/"+fake.SeedCommunity+"%3Aunrelease", "")},
		"unReleaseImage/pathCopyMismatch": {run: call("unReleaseImage", http.MethodPost, exPath+"%3Aunrelease", `{"imageId":"img-other0001"}`)},
		"unReleaseImage/taskConflict": {run: func(h *writeHarness) answer {
			// An export runs on the image when it is stored again as released (Put
			// keeps what the write calls did to it).
			putExample(h, nil)
			h.ok("exportImage", http.MethodPost, exportOf(exImage), exportBody)
			putExample(h, func(img *api.Image) { c := api.ImageSourceCommunity; img.ImageSource = &c })
			return h.do("unReleaseImage", http.MethodPost, exPath+"%3Aunrelease", "", false)
		}},
		"unReleaseImage/imageNotFound": {run: call("unReleaseImage", http.MethodPost, exPath+":unrelease", "")},

		"unShareImage/invalidPin":       {run: call("unShareImage", http.MethodPost, exPath+"%3Aunshare", `{"pins":["pin 1"]}`)},
		"unShareImage/noAccounts":       {run: call("unShareImage", http.MethodPost, exPath+"%3Aunshare", `{"pins":null,"loginNames":null}`)},
		"unShareImage/notPrivate":       {run: call("unShareImage", http.MethodPost, n1+"/images/"+fake.SeedCentOS+"%3Aunshare", `{"pins":["pin1"]}`)},
		"unShareImage/pathCopyMismatch": {run: call("unShareImage", http.MethodPost, exPath+"%3Aunshare", `{"imageId":"img-other0001","pins":["pin1"]}`)},
		"unShareImage/pinNotFound":      {run: call("unShareImage", http.MethodPost, exPath+"%3Aunshare", `{"pins":["`+fake.UnknownPin+`"]}`)},
		"unShareImage/taskConflict":     {run: after("export", "unShareImage", http.MethodPost, exPath+"%3Aunshare", `{"pins":["pin1"]}`)},
		"unShareImage/tooManyAccounts":  {run: call("unShareImage", http.MethodPost, exPath+"%3Aunshare", twentyOne)},
		"unShareImage/imageNotFound":    {run: call("unShareImage", http.MethodPost, exPath+":unshare", `{"pins":["pin1"]}`)},
	}
)

// byFault are examples that are not the image service's own state: the gateway's
// answers (a bad signature is produced for real below) and the snapshot quota, which
// the fake does not model; a fault scoped to the operation produces them.
var byFault = []string{"throttled", "snapshotQuota"}

// Every error example of every write operation in openapi.yaml, produced by the
// fake: the same status, error.status and message, and an answer the spec accepts.
func TestEveryDocumentedErrorOfTheWriteCalls(t *testing.T) {
	v, err := validate.Default()
	if err != nil {
		t.Fatal(err)
	}
	writes := []string{"copyImages", "createImage", "createImageFromSnapshots", "deleteImage", "exportImage", "imageTasks",
		"importImage", "modifyImageAttribute", "releaseImage", "unReleaseImage", "shareImage", "unShareImage"}
	seen, produced := map[string]bool{}, 0
	for path, item := range v.Document().Paths.Map() {
		for method, op := range item.Operations() {
			if !slices.Contains(writes, op.OperationID) {
				continue
			}
			target := "/v1" + strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(path, "{regionId}", "cn-north-1"),
				"{imageId}", fake.SeedPrivate), "{instanceId}", fake.SeedInstanceCloud)
			target = strings.ReplaceAll(target, ":", "%3A")
			for code, ref := range op.Responses.Map() {
				media := ref.Value.Content["application/json"]
				if code < "400" || media == nil {
					continue
				}
				for name, ex := range media.Examples {
					key := op.OperationID + "/" + name
					e := ex.Value.Value.(map[string]any)["error"].(map[string]any)
					want := struct {
						status     int
						code, text string
					}{int(e["code"].(float64)), e["status"].(string), e["message"].(string)}
					seen[key] = true
					t.Run(key, func(t *testing.T) {
						sc, ok := exampleScenarios[key]
						switch {
						case name == "accessError":
							sc = scenario{run: func(h *writeHarness) answer {
								h.s = signerWithWrongKey(h)
								return h.do(op.OperationID, method, target, "{}", false)
							}}
						case slices.Contains(byFault, name):
							sc = scenario{run: func(h *writeHarness) answer {
								if err := h.srv.Inject(fake.Fault{Kind: fake.FaultStatus, Operation: op.OperationID, Status: want.status, Code: want.code, Message: want.text, Times: 1}); err != nil {
									t.Fatal(err)
								}
								return h.do(op.OperationID, method, target, "{}", false)
							}}
						case !ok:
							t.Fatalf("no scenario produces %s (%d %s %q)", key, want.status, want.code, want.text)
						}
						h := startWrites(t, sc.opts...)
						a := sc.run(h)
						if a.status != want.status || a.errStatus() != want.code || a.errMsg() != want.text {
							t.Errorf("got %d %s %q, want %d %s %q", a.status, a.errStatus(), a.errMsg(), want.status, want.code, want.text)
						}
					})
					produced++
				}
			}
		}
	}
	for key := range exampleScenarios {
		if !seen[key] {
			t.Errorf("scenario %s matches no example of openapi.yaml", key)
		}
	}
	if produced < 100 {
		t.Errorf("only %d examples walked", produced)
	}
}

func signerWithWrongKey(h *writeHarness) *signer.Signer {
	return signer.New(signer.Credentials{AccessKey: h.srv.Credentials().AccessKey, SecretKey: "not-the-fake-secret"}, "vm")
}

// Every request example of every write operation in openapi.yaml (the docs', JD's Go
// SDK's with path copies and nulls, ...) succeeds against a fake holding the
// examples' image, instance and snapshots, and is answered as the spec says.
func TestEveryRequestExampleOfTheWriteCallsSucceeds(t *testing.T) {
	v, err := validate.Default()
	if err != nil {
		t.Fatal(err)
	}
	for path, item := range v.Document().Paths.Map() {
		for method, op := range item.Operations() {
			if op.RequestBody == nil || op.RequestBody.Value.Content["application/json"] == nil {
				continue
			}
			target := "/v1" + strings.NewReplacer("{regionId}", "cn-north-1", "{imageId}", exImage, "{instanceId}", "i-eumm4d5fd6", ":", "%3A").Replace(path)
			for name, ex := range op.RequestBody.Value.Content["application/json"].Examples {
				t.Run(op.OperationID+"/"+name, func(t *testing.T) {
					h := startWrites(t)
					putExample(h, nil)
					other, _ := h.srv.Images().Get("cn-north-1", exImage)
					id := "img-p7q8r9s0t1"
					other.ImageId = &id
					if err := h.srv.Images().Put("cn-north-1", other); err != nil {
						t.Fatal(err)
					}
					putInstance(h, fake.Instance{SystemDisk: sysDisk(), DataDisks: []fake.Disk{
						{DeviceName: "vdb", ID: "vol-b000000001", SizeGB: 20, Type: api.DiskTypeSSDGP1, Status: api.DiskStatusInUse},
						{DeviceName: "vdc", ID: "vol-c000000001", SizeGB: 20, Type: api.DiskTypeSSDGP1, Status: api.DiskStatusInUse}}})
					for _, sn := range []string{"snapshot-s1y2s3t4e5", "snapshot-d1a2t3a4b5", "snapshot-h8u1ab2c36"} {
						if err := h.srv.Images().PutSnapshot("cn-north-1", fake.Snapshot{ID: sn, SizeGB: 40}); err != nil {
							t.Fatal(err)
						}
					}
					if op.OperationID == "unReleaseImage" {
						h.ok("releaseImage", http.MethodPost, exPath+"%3Arelease", "")
					}
					if op.OperationID == "unShareImage" {
						h.ok("shareImage", http.MethodPost, exPath+"%3Ashare", `{"pins":["pin1","pin2"],"loginNames":["partner-dev"]}`)
					}
					body, err := json.Marshal(ex.Value.Value)
					if err != nil {
						t.Fatal(err)
					}
					h.ok(op.OperationID, method, target, string(body))
				})
			}
		}
	}
}
