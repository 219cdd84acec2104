/**
 * Object identifier names as OpenSSL spells them (`OBJ_nid2sn` / `OBJ_nid2ln`), for the OIDs that
 * appear in certificates: X.520 and PKCS #9 attribute types, RFC 4519/1274 pilot attributes, extension,
 * key-purpose, access-method, other-name, policy and algorithm identifiers. Python's `getpeercert()`
 * prints attribute types and registered IDs with the long name when OpenSSL knows the OID and as dotted
 * text otherwise, so this table is what its dict depends on. Its entries are checked against OpenSSL's
 * registry (through python3's `ssl._ssl.txt2obj`) by the tests.
 * @module
 */

/** One line per OID: `dotted short` or `dotted short|long` (long defaults to short). */
const TABLE = `
1.2.840.113549.2.5 MD5|md5
1.2.840.113549.1.1.1 rsaEncryption
1.2.840.113549.1.1.2 RSA-MD2|md2WithRSAEncryption
1.2.840.113549.1.1.4 RSA-MD5|md5WithRSAEncryption
2.5.4.3 CN|commonName
2.5.4.6 C|countryName
2.5.4.7 L|localityName
2.5.4.8 ST|stateOrProvinceName
2.5.4.10 O|organizationName
2.5.4.11 OU|organizationalUnitName
1.2.840.113549.1.9.1 emailAddress
1.2.840.113549.1.9.2 unstructuredName
1.2.840.113549.1.9.3 contentType
1.2.840.113549.1.9.4 messageDigest
1.2.840.113549.1.9.5 signingTime
1.2.840.113549.1.9.6 countersignature
1.2.840.113549.1.9.7 challengePassword
1.2.840.113549.1.9.8 unstructuredAddress
1.2.840.113549.1.9.9 extendedCertificateAttributes
1.3.14.3.2.26 SHA1|sha1
1.2.840.113549.1.1.5 RSA-SHA1|sha1WithRSAEncryption
2.5.29.14 subjectKeyIdentifier|X509v3 Subject Key Identifier
2.5.29.15 keyUsage|X509v3 Key Usage
2.5.29.16 privateKeyUsagePeriod|X509v3 Private Key Usage Period
2.5.29.17 subjectAltName|X509v3 Subject Alternative Name
2.5.29.18 issuerAltName|X509v3 Issuer Alternative Name
2.5.29.19 basicConstraints|X509v3 Basic Constraints
2.5.29.20 crlNumber|X509v3 CRL Number
2.5.29.32 certificatePolicies|X509v3 Certificate Policies
2.5.29.35 authorityKeyIdentifier|X509v3 Authority Key Identifier
2.5.4.42 GN|givenName
2.5.4.4 SN|surname
2.5.4.43 initials
0.9.2342.19200300.100.1.44 uid|uniqueIdentifier
2.5.29.31 crlDistributionPoints|X509v3 CRL Distribution Points
2.5.4.5 serialNumber
2.5.4.12 title
2.5.4.13 description
2.5.29.37 extendedKeyUsage|X509v3 Extended Key Usage
1.3.6.1.5.5.7.3.1 serverAuth|TLS Web Server Authentication
1.3.6.1.5.5.7.3.2 clientAuth|TLS Web Client Authentication
1.3.6.1.5.5.7.3.3 codeSigning|Code Signing
1.3.6.1.5.5.7.3.4 emailProtection|E-mail Protection
1.3.6.1.5.5.7.3.8 timeStamping|Time Stamping
1.3.6.1.4.1.311.2.1.21 msCodeInd|Microsoft Individual Code Signing
1.3.6.1.4.1.311.2.1.22 msCodeCom|Microsoft Commercial Code Signing
1.3.6.1.4.1.311.10.3.1 msCTLSign|Microsoft Trust List Signing
1.3.6.1.4.1.311.10.3.3 msSGC|Microsoft Server Gated Crypto
1.3.6.1.4.1.311.10.3.4 msEFS|Microsoft Encrypted File System
2.5.29.27 deltaCRL|X509v3 Delta CRL Indicator
2.5.29.21 CRLReason|X509v3 CRL Reason Code
2.5.29.24 invalidityDate|Invalidity Date
1.3.101.1.4.1 SXNetID|Strong Extranet ID
1.2.840.113549.1.9.20 friendlyName
1.2.840.113549.1.9.21 localKeyID
1.2.840.113549.1.9.22.1 x509Certificate
1.2.840.113549.1.9.22.2 sdsiCertificate
1.2.840.113549.1.9.23.1 x509Crl
1.3.6.1.5.5.7.2.1 id-qt-cps|Policy Qualifier CPS
1.3.6.1.5.5.7.2.2 id-qt-unotice|Policy Qualifier User Notice
1.2.840.113549.1.9.15 SMIME-CAPS|S/MIME Capabilities
1.3.6.1.4.1.311.2.1.14 msExtReq|Microsoft Extension Request
1.2.840.113549.1.9.14 extReq|Extension Request
2.5.4.41 name
2.5.4.46 dnQualifier
1.3.6.1.5.5.7.48 id-ad
1.3.6.1.5.5.7.1.1 authorityInfoAccess|Authority Information Access
1.3.6.1.5.5.7.48.1 OCSP
1.3.6.1.5.5.7.48.2 caIssuers|CA Issuers
1.3.6.1.5.5.7.3.9 OCSPSigning|OCSP Signing
1.3.6.1.5.5.7.1.2 biometricInfo|Biometric Info
1.3.6.1.5.5.7.1.3 qcStatements
1.3.6.1.5.5.7.1.4 ac-auditEntity
1.3.6.1.5.5.7.1.5 ac-targeting
1.3.6.1.5.5.7.1.6 aaControls
1.3.6.1.5.5.7.1.7 sbgp-ipAddrBlock
1.3.6.1.5.5.7.1.8 sbgp-autonomousSysNum
1.3.6.1.5.5.7.1.9 sbgp-routerIdentifier
1.3.6.1.5.5.7.2.3 textNotice
1.3.6.1.5.5.7.3.5 ipsecEndSystem|IPSec End System
1.3.6.1.5.5.7.3.6 ipsecTunnel|IPSec Tunnel
1.3.6.1.5.5.7.3.7 ipsecUser|IPSec User
1.3.6.1.5.5.7.3.10 DVCS|dvcs
1.3.6.1.5.5.7.8.1 id-on-personalData
1.3.6.1.5.5.7.48.3 ad_timestamping|AD Time Stamping
1.3.6.1.5.5.7.48.1.2 Nonce|OCSP Nonce
1.3.6.1.5.5.7.48.1.5 noCheck|OCSP No Check
0.9.2342.19200300.100.1.25 DC|domainComponent
1.2.840.113549.1.1.3 RSA-MD4|md4WithRSAEncryption
1.3.6.1.5.5.7.1.10 ac-proxying
1.3.6.1.5.5.7.1.11 subjectInfoAccess|Subject Information Access
2.5.4.72 role
2.5.29.36 policyConstraints|X509v3 Policy Constraints
2.5.29.55 targetInformation|X509v3 AC Targeting
2.5.29.56 noRevAvail|X509v3 No Revocation Available
1.2.840.10045.2.1 id-ecPublicKey
1.2.840.10045.3.1.7 prime256v1
1.2.840.10045.4.1 ecdsa-with-SHA1
1.3.6.1.4.1.311.17.1 CSPName|Microsoft CSP Name
2.16.840.1.101.3.4.1.2 AES-128-CBC|aes-128-cbc
2.16.840.1.101.3.4.1.42 AES-256-CBC|aes-256-cbc
2.5.29.23 holdInstructionCode|Hold Instruction Code
0.9.2342.19200300.100.1.1 UID|userId
0.9.2342.19200300.100.1.2 textEncodedORAddress
0.9.2342.19200300.100.1.3 mail|rfc822Mailbox
0.9.2342.19200300.100.1.4 info
0.9.2342.19200300.100.1.5 favouriteDrink
0.9.2342.19200300.100.1.6 roomNumber
0.9.2342.19200300.100.1.7 photo
0.9.2342.19200300.100.1.8 userClass
0.9.2342.19200300.100.1.9 host
0.9.2342.19200300.100.1.10 manager
0.9.2342.19200300.100.1.11 documentIdentifier
0.9.2342.19200300.100.1.12 documentTitle
0.9.2342.19200300.100.1.13 documentVersion
0.9.2342.19200300.100.1.14 documentAuthor
0.9.2342.19200300.100.1.15 documentLocation
0.9.2342.19200300.100.1.20 homeTelephoneNumber
0.9.2342.19200300.100.1.21 secretary
0.9.2342.19200300.100.1.22 otherMailbox
0.9.2342.19200300.100.1.23 lastModifiedTime
0.9.2342.19200300.100.1.24 lastModifiedBy
0.9.2342.19200300.100.1.26 aRecord
0.9.2342.19200300.100.1.27 pilotAttributeType27
0.9.2342.19200300.100.1.28 mXRecord
0.9.2342.19200300.100.1.29 nSRecord
0.9.2342.19200300.100.1.30 sOARecord
0.9.2342.19200300.100.1.31 cNAMERecord
0.9.2342.19200300.100.1.37 associatedDomain
0.9.2342.19200300.100.1.38 associatedName
0.9.2342.19200300.100.1.39 homePostalAddress
0.9.2342.19200300.100.1.40 personalTitle
0.9.2342.19200300.100.1.41 mobileTelephoneNumber
0.9.2342.19200300.100.1.42 pagerTelephoneNumber
0.9.2342.19200300.100.1.43 friendlyCountryName
0.9.2342.19200300.100.1.45 organizationalStatus
0.9.2342.19200300.100.1.46 janetMailbox
0.9.2342.19200300.100.1.47 mailPreferenceOption
0.9.2342.19200300.100.1.48 buildingName
0.9.2342.19200300.100.1.49 dSAQuality
0.9.2342.19200300.100.1.50 singleLevelQuality
0.9.2342.19200300.100.1.51 subtreeMinimumQuality
0.9.2342.19200300.100.1.52 subtreeMaximumQuality
0.9.2342.19200300.100.1.53 personalSignature
0.9.2342.19200300.100.1.54 dITRedirect
0.9.2342.19200300.100.1.55 audio
0.9.2342.19200300.100.1.56 documentPublisher
2.5.4.45 x500UniqueIdentifier
2.5.4.44 generationQualifier
2.5.4.65 pseudonym
1.2.840.113549.1.1.6 rsaOAEPEncryptionSET
1.3.6.1.4.1.311.20.2.2 msSmartcardLogin|Microsoft Smartcard Login
1.3.6.1.4.1.311.20.2.3 msUPN|Microsoft User Principal Name
2.5.4.9 street|streetAddress
2.5.4.17 postalCode
1.3.6.1.5.5.7.1.14 proxyCertInfo|Proxy Certificate Information
2.5.29.30 nameConstraints|X509v3 Name Constraints
1.2.840.113549.1.1.11 RSA-SHA256|sha256WithRSAEncryption
1.2.840.113549.1.1.12 RSA-SHA384|sha384WithRSAEncryption
1.2.840.113549.1.1.13 RSA-SHA512|sha512WithRSAEncryption
1.2.840.113549.1.1.14 RSA-SHA224|sha224WithRSAEncryption
2.16.840.1.101.3.4.2.1 SHA256|sha256
2.16.840.1.101.3.4.2.2 SHA384|sha384
2.16.840.1.101.3.4.2.3 SHA512|sha512
2.16.840.1.101.3.4.2.4 SHA224|sha224
1.3.132.0.10 secp256k1
1.3.132.0.34 secp384r1
1.3.132.0.35 secp521r1
2.5.29.32.0 anyPolicy|X509v3 Any Policy
2.5.29.33 policyMappings|X509v3 Policy Mappings
2.5.29.54 inhibitAnyPolicy|X509v3 Inhibit Any Policy
2.5.29.9 subjectDirectoryAttributes|X509v3 Subject Directory Attributes
2.5.29.28 issuingDistributionPoint|X509v3 Issuing Distribution Point
2.5.29.29 certificateIssuer|X509v3 Certificate Issuer
1.3.6.1.5.5.7.48.5 caRepository|CA Repository
1.2.840.10045.4.3.1 ecdsa-with-SHA224
1.2.840.10045.4.3.2 ecdsa-with-SHA256
1.2.840.10045.4.3.3 ecdsa-with-SHA384
1.2.840.10045.4.3.4 ecdsa-with-SHA512
1.3.6.1.4.1.311.17.2 LocalKeySet|Microsoft Local Key set
2.5.29.46 freshestCRL|X509v3 Freshest CRL
1.3.6.1.5.5.7.8.3 id-on-permanentIdentifier|Permanent Identifier
2.5.4.14 searchGuide
2.5.4.15 businessCategory
2.5.4.16 postalAddress
2.5.4.18 postOfficeBox
2.5.4.19 physicalDeliveryOfficeName
2.5.4.20 telephoneNumber
2.5.4.21 telexNumber
2.5.4.22 teletexTerminalIdentifier
2.5.4.23 facsimileTelephoneNumber
2.5.4.24 x121Address
2.5.4.25 internationaliSDNNumber
2.5.4.26 registeredAddress
2.5.4.27 destinationIndicator
2.5.4.28 preferredDeliveryMethod
2.5.4.29 presentationAddress
2.5.4.30 supportedApplicationContext
2.5.4.31 member
2.5.4.32 owner
2.5.4.33 roleOccupant
2.5.4.34 seeAlso
2.5.4.35 userPassword
2.5.4.36 userCertificate
2.5.4.37 cACertificate
2.5.4.38 authorityRevocationList
2.5.4.39 certificateRevocationList
2.5.4.40 crossCertificatePair
2.5.4.47 enhancedSearchGuide
2.5.4.48 protocolInformation
2.5.4.49 distinguishedName
2.5.4.50 uniqueMember
2.5.4.51 houseIdentifier
2.5.4.52 supportedAlgorithms
2.5.4.53 deltaRevocationList
2.5.4.54 dmdName
2.16.840.1.101.3.4.1.6 id-aes128-GCM|aes-128-gcm
2.16.840.1.101.3.4.1.46 id-aes256-GCM|aes-256-gcm
2.5.29.37.0 anyExtendedKeyUsage|Any Extended Key Usage
1.2.840.113549.1.1.8 MGF1|mgf1
1.2.840.113549.1.1.10 RSASSA-PSS|rsassaPss
1.2.840.113549.1.1.7 RSAES-OAEP|rsaesOaep
1.2.840.113549.1.1.9 PSPECIFIED|pSpecified
1.3.6.1.4.1.11129.2.4.2 ct_precert_scts|CT Precertificate SCTs
1.3.6.1.4.1.11129.2.4.3 ct_precert_poison|CT Precertificate Poison
1.3.6.1.4.1.11129.2.4.4 ct_precert_signer|CT Precertificate Signer
1.3.6.1.4.1.11129.2.4.5 ct_cert_scts|CT Certificate SCTs
1.3.6.1.4.1.311.60.2.1.1 jurisdictionL|jurisdictionLocalityName
1.3.6.1.4.1.311.60.2.1.2 jurisdictionST|jurisdictionStateOrProvinceName
1.3.6.1.4.1.311.60.2.1.3 jurisdictionC|jurisdictionCountryName
1.3.6.1.5.5.7.1.24 tlsfeature|TLS Feature
1.3.6.1.5.5.7.3.17 ipsecIKE|ipsec Internet Key Exchange
1.3.6.1.5.5.7.3.18 capwapAC|Ctrl/provision WAP Access
1.3.6.1.5.5.7.3.19 capwapWTP|Ctrl/Provision WAP Termination
1.3.6.1.5.5.7.3.21 secureShellClient|SSH Client
1.3.6.1.5.5.7.3.22 secureShellServer|SSH Server
1.3.6.1.5.5.7.3.23 sendRouter|Send Router
1.3.6.1.5.5.7.3.24 sendProxiedRouter|Send Proxied Router
1.3.6.1.5.5.7.3.25 sendOwner|Send Owner
1.3.6.1.5.5.7.3.26 sendProxiedOwner|Send Proxied Owner
1.3.101.110 X25519
1.3.101.111 X448
1.3.101.112 ED25519
1.3.101.113 ED448
2.5.4.97 organizationIdentifier
2.5.4.98 c3|countryCode3c
2.5.4.99 n3|countryCode3n
2.5.4.100 dnsName
1.3.6.1.5.5.7.3.27 cmcCA|CMC Certificate Authority
1.3.6.1.5.5.7.3.28 cmcRA|CMC Registration Authority
1.2.840.113549.1.1.15 RSA-SHA512/224|sha512-224WithRSAEncryption
1.2.840.113549.1.1.16 RSA-SHA512/256|sha512-256WithRSAEncryption
1.3.6.1.5.5.7.8.9 id-on-SmtpUTF8Mailbox|Smtp UTF8 Mailbox
1.3.6.1.5.5.7.8.5 id-on-xmppAddr|XmppAddr
1.3.6.1.5.5.7.8.7 id-on-dnsSRV|SRVName
1.3.6.1.5.5.7.8.8 id-on-NAIRealm|NAIRealm
1.3.6.1.5.5.7.3.29 cmcArchive|CMC Archive Server
1.3.6.1.5.5.7.3.30 id-kp-bgpsec-router|BGPsec Router
1.3.6.1.5.5.7.3.31 id-kp-BrandIndicatorforMessageIdentification|Brand Indicator for Message Identification
1.3.6.1.5.5.7.3.32 cmKGA|Certificate Management Key Generation Authority
1.3.6.1.5.5.7.1.28 sbgp-ipAddrBlockv2
1.3.6.1.5.5.7.1.29 sbgp-autonomousSysNumv2
`;

let byOid: Map<string, readonly [short: string, long: string]> | undefined;

function table(): Map<string, readonly [string, string]> {
  if (byOid === undefined) {
    byOid = new Map();
    for (const line of TABLE.split('\n')) {
      if (line === '') continue;
      const space = line.indexOf(' ');
      const [short, long] = line.slice(space + 1).split('|') as [string, string | undefined];
      byOid.set(line.slice(0, space), [short, long ?? short]);
    }
  }
  return byOid;
}

/** OpenSSL's long name for `oid` (`commonName`, `organizationName`, …) or the dotted OID when unknown. */
export function oidLongName(oid: string): string {
  return table().get(oid)?.[1] ?? oid;
}

/** OpenSSL's short name for `oid` (`CN`, `O`, `OU`, …) or the dotted OID when unknown. */
export function oidShortName(oid: string): string {
  return table().get(oid)?.[0] ?? oid;
}
