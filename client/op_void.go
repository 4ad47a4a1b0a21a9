package client

// VoidResult is the result of a call the service answers with its request id only
// (DeleteImage, ModifyImageAttribute, ReleaseImage, UnReleaseImage, ShareImage,
// UnShareImage); the request id is in the call's *Response.
type VoidResult struct{}
