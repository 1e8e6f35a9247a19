package taxii

import (
	"errors"

	"github.com/beevik/etree"
)

var errNotYet = errors.New("taxii: encoding not implemented yet")

func (m *DiscoveryRequest) encode(*encoder) (*etree.Element, error)  { return nil, errNotYet }
func (m *DiscoveryResponse) encode(*encoder) (*etree.Element, error) { return nil, errNotYet }
func (m *CollectionInformationRequest) encode(*encoder) (*etree.Element, error) {
	return nil, errNotYet
}
func (m *CollectionInformationResponse) encode(*encoder) (*etree.Element, error) {
	return nil, errNotYet
}
func (m *ManageCollectionSubscriptionRequest) encode(*encoder) (*etree.Element, error) {
	return nil, errNotYet
}
func (m *ManageCollectionSubscriptionResponse) encode(*encoder) (*etree.Element, error) {
	return nil, errNotYet
}
func (m *PollRequest) encode(*encoder) (*etree.Element, error)            { return nil, errNotYet }
func (m *PollResponse) encode(*encoder) (*etree.Element, error)           { return nil, errNotYet }
func (m *PollFulfillmentRequest) encode(*encoder) (*etree.Element, error) { return nil, errNotYet }
func (m *InboxMessage) encode(*encoder) (*etree.Element, error)           { return nil, errNotYet }
func (m *StatusMessage) encode(*encoder) (*etree.Element, error)          { return nil, errNotYet }
